// decode.ts: Kubernetes protobuf back to the JSON shape, for tests and diagnostics: it reads our own
// bytes and kube-apiserver's alike (unknown fields such as managedFields are skipped), and leaves
// out what JSON omits (empty strings, zero generation, unset timestamps).
import type { Type } from 'protobufjs';
import { MAGIC, Messages } from './messages.js';

type Msg = Record<string, unknown>;

/** Decoded is a decoded Kubernetes protobuf object in JSON shape. */
export interface Decoded {
  apiVersion: string;
  kind: string;
  [field: string]: unknown;
}

const BY_KIND: Record<string, Type> = {
  PartialObjectMetadata: Messages.PartialObjectMetadata,
  PartialObjectMetadataList: Messages.PartialObjectMetadataList,
  Status: Messages.Status,
};

/** fromTime renders metav1.Time as RFC 3339 (second precision, as Kubernetes JSON); undefined when unset. */
function fromTime(t: unknown): string | undefined {
  const { seconds = 0, nanos = 0 } = (t ?? {}) as { seconds?: number; nanos?: number };
  if (!seconds && !nanos) return undefined;
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** prune drops empty strings, empty objects and empty arrays, recursively. */
function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.length > 0 ? v.map(prune) : undefined;
  if (!v || typeof v !== 'object') return v === '' ? undefined : v;
  const out: Msg = {};
  for (const [k, val] of Object.entries(v)) {
    const p = prune(val);
    if (p !== undefined) out[k] = p;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function objectMetaJSON(m: unknown): Msg {
  const meta = { ...((m ?? {}) as Msg) };
  meta.creationTimestamp = fromTime(meta.creationTimestamp);
  meta.deletionTimestamp = fromTime(meta.deletionTimestamp);
  if (meta.generation === 0) delete meta.generation;
  return (prune(meta) as Msg | undefined) ?? {};
}

function toJSON(apiVersion: string, kind: string, msg: Msg): Msg {
  if (kind === 'PartialObjectMetadata') return { metadata: objectMetaJSON(msg.metadata) };
  if (kind === 'PartialObjectMetadataList') {
    // Items carry no type in protobuf; the JSON form names it on every item.
    const items = ((msg.items ?? []) as Msg[]).map((i) => ({
      apiVersion,
      kind: 'PartialObjectMetadata',
      metadata: objectMetaJSON(i.metadata),
    }));
    return { metadata: prune(msg.metadata) ?? {}, items };
  }
  const details = msg.details as Msg | undefined;
  if (details?.retryAfterSeconds === 0) delete details.retryAfterSeconds; // JSON omits zero
  return { ...((prune(msg) as Msg | undefined) ?? {}), metadata: {} };
}

/** decodeProtobuf decodes "k8s\0" + runtime.Unknown holding a PartialObjectMetadata(List) or Status. */
export function decodeProtobuf(buf: Uint8Array): Decoded {
  if (buf.length < 4 || !MAGIC.equals(Buffer.from(buf.subarray(0, 4)))) {
    throw new Error('protobuf: missing the k8s\\0 prefix');
  }
  const unknown = Messages.Unknown.toObject(Messages.Unknown.decode(buf.subarray(4))) as {
    typeMeta?: { apiVersion?: string; kind?: string };
    raw?: Uint8Array;
  };
  const apiVersion = unknown.typeMeta?.apiVersion ?? '';
  const kind = unknown.typeMeta?.kind ?? '';
  const type = BY_KIND[kind];
  if (!type) throw new Error(`protobuf: cannot decode kind ${JSON.stringify(kind)}`);
  const msg = type.toObject(type.decode(unknown.raw ?? new Uint8Array()), { longs: Number });
  return { apiVersion, kind, ...toJSON(apiVersion, kind, msg) };
}

/** decodeWatchFrames splits a protobuf watch stream into events; a trailing partial frame is returned as rest. */
export function decodeWatchFrames(buf: Buffer): {
  events: { type: string; object: Decoded }[];
  rest: Buffer;
} {
  const events: { type: string; object: Decoded }[] = [];
  let at = 0;
  while (buf.length - at >= 4 && buf.length - at - 4 >= buf.readUInt32BE(at)) {
    const len = buf.readUInt32BE(at);
    const ev = Messages.WatchEvent.toObject(
      Messages.WatchEvent.decode(buf.subarray(at + 4, at + 4 + len)),
    ) as {
      type?: string;
      object?: { raw?: Uint8Array };
    };
    events.push({ type: ev.type ?? '', object: decodeProtobuf(ev.object?.raw ?? new Uint8Array()) });
    at += 4 + len;
  }
  return { events, rest: buf.subarray(at) };
}
