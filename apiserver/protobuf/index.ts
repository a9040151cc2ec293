// index.ts: Kubernetes protobuf encodings of fedmesh-apiserver (PartialObjectMetadata(List) for
// kube-controller-manager's metadata client, Status for their errors, watch frames), and a decoder.
export {
  encodePartialObjectMetadata,
  encodePartialObjectMetadataList,
  encodeListMetaPart,
  encodeItemsPart,
  encodeItemsOf,
  partialObjectMetadataListOf,
  partialObjectMetadataListParts,
  encodeStatus,
  encodeWatchEvent,
} from './encode.js';
export { decodeProtobuf, decodeWatchFrames, type Decoded } from './decode.js';
export { MAGIC, PROTOBUF_CONTENT_TYPE, PROTOBUF_WATCH_CONTENT_TYPE } from './messages.js';
