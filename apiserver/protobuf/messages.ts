// messages.ts: the Kubernetes protobuf messages fedmesh-apiserver encodes, declared with the field
// numbers of k8s.io/apimachinery's generated.proto (meta/v1 and runtime; checked against upstream).
// Only what PartialObjectMetadata(List), Status and watch events need; managedFields is left out,
// and decoders skip it (and any other unknown field) when reading upstream's bytes.
import protobuf from 'protobufjs';
import type { Type } from 'protobufjs';

const META_V1 = `
syntax = "proto2";
package k8s.io.apimachinery.pkg.apis.meta.v1;

message Time {
  optional int64 seconds = 1;
  optional int32 nanos = 2;
}
message OwnerReference {
  optional string kind = 1;
  optional string name = 3;
  optional string uid = 4;
  optional string apiVersion = 5;
  optional bool controller = 6;
  optional bool blockOwnerDeletion = 7;
}
message ObjectMeta {
  optional string name = 1;
  optional string generateName = 2;
  optional string namespace = 3;
  optional string selfLink = 4;
  optional string uid = 5;
  optional string resourceVersion = 6;
  optional int64 generation = 7;
  optional Time creationTimestamp = 8;
  optional Time deletionTimestamp = 9;
  optional int64 deletionGracePeriodSeconds = 10;
  map<string, string> labels = 11;
  map<string, string> annotations = 12;
  repeated OwnerReference ownerReferences = 13;
  repeated string finalizers = 14;
}
message ListMeta {
  optional string selfLink = 1;
  optional string resourceVersion = 2;
  optional string continue = 3;
  optional int64 remainingItemCount = 4;
}
message PartialObjectMetadata {
  optional ObjectMeta metadata = 1;
}
message PartialObjectMetadataList {
  optional ListMeta metadata = 1;
  repeated PartialObjectMetadata items = 2;
}
message StatusCause {
  optional string reason = 1;
  optional string message = 2;
  optional string field = 3;
}
message StatusDetails {
  optional string name = 1;
  optional string group = 2;
  optional string kind = 3;
  repeated StatusCause causes = 4;
  optional int32 retryAfterSeconds = 5;
  optional string uid = 6;
}
message Status {
  optional ListMeta metadata = 1;
  optional string status = 2;
  optional string message = 3;
  optional string reason = 4;
  optional StatusDetails details = 5;
  optional int32 code = 6;
}
message WatchEvent {
  optional string type = 1;
  optional k8s.io.apimachinery.pkg.runtime.RawExtension object = 2;
}
`;

const RUNTIME = `
syntax = "proto2";
package k8s.io.apimachinery.pkg.runtime;

message RawExtension {
  optional bytes raw = 1;
}
message TypeMeta {
  optional string apiVersion = 1;
  optional string kind = 2;
}
message Unknown {
  optional TypeMeta typeMeta = 1;
  optional bytes raw = 2;
  optional string contentEncoding = 3;
  optional string contentType = 4;
}
`;

const root = new protobuf.Root();
protobuf.parse(RUNTIME, root, { keepCase: true });
protobuf.parse(META_V1, root, { keepCase: true });
root.resolveAll();

const meta = (name: string): Type => root.lookupType(`k8s.io.apimachinery.pkg.apis.meta.v1.${name}`);

/** Messages are the protobufjs types of the declared messages. */
export const Messages = {
  ObjectMeta: meta('ObjectMeta'),
  ListMeta: meta('ListMeta'),
  PartialObjectMetadata: meta('PartialObjectMetadata'),
  PartialObjectMetadataList: meta('PartialObjectMetadataList'),
  Status: meta('Status'),
  WatchEvent: meta('WatchEvent'),
  Unknown: root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown'),
} as const;

/** MAGIC prefixes every Kubernetes protobuf object: "k8s" and a zero byte, then a runtime.Unknown. */
export const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** PROTOBUF_CONTENT_TYPE is the media type of Kubernetes protobuf bodies. */
export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';

/** PROTOBUF_WATCH_CONTENT_TYPE is the media type of protobuf watch streams (length-prefixed frames). */
export const PROTOBUF_WATCH_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf;stream=watch';
