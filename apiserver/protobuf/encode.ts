// encode.ts: JSON-shaped PartialObjectMetadata(List), Status and watch events to Kubernetes protobuf:
// "k8s\0" + runtime.Unknown{typeMeta, raw = the message}. Inputs are the objects the JSON path
// renders, so both encodings come from one source; absent or empty fields are simply not written.
import type { Status } from '../status.js';
import { MAGIC, Messages } from './messages.js';
import { encodeItemsFromTexts } from './metatext.js';

/** Loose is what encoders accept: any object with these keys, checked field by field at runtime. */
export type Loose<K extends string> = { [P in K]?: unknown };

type Msg = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const strMap = (v: unknown): Record<string, string> | undefined =>
  v && typeof v === 'object' && Object.keys(v).length > 0 ? (v as Record<string, string>) : undefined;
const list = (v: unknown): Msg[] => (Array.isArray(v) ? (v as Msg[]) : []);

/** compact drops undefined values, so protobufjs writes only the fields that are set. */
function compact(m: Msg): Msg {
  for (const k of Object.keys(m)) if (m[k] === undefined) delete m[k];
  return m;
}

/** toTime converts an RFC 3339 timestamp to metav1.Time {seconds, nanos}; undefined for null or empty. */
export function toTime(v: unknown): Msg | undefined {
  const s = str(v);
  if (!s) return undefined;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new Error(`protobuf: invalid timestamp ${JSON.stringify(s)}`);
  const frac = /\.(\d{1,9})/.exec(s)?.[1];
  const nanos = frac ? Number(frac.padEnd(9, '0')) : 0;
  return compact({ seconds: Math.floor(ms / 1000), nanos: nanos || undefined });
}

function ownerReference(o: Msg): Msg {
  return compact({
    kind: str(o.kind),
    name: str(o.name),
    uid: str(o.uid),
    apiVersion: str(o.apiVersion),
    controller: typeof o.controller === 'boolean' ? o.controller : undefined,
    blockOwnerDeletion: typeof o.blockOwnerDeletion === 'boolean' ? o.blockOwnerDeletion : undefined,
  });
}

/** objectMeta converts JSON ObjectMeta to its message form (managedFields is not encoded). */
export function objectMeta(v: unknown): Msg {
  const m = (v ?? {}) as Msg;
  return compact({
    name: str(m.name),
    generateName: str(m.generateName),
    namespace: str(m.namespace),
    selfLink: str(m.selfLink),
    uid: str(m.uid),
    resourceVersion: str(m.resourceVersion),
    generation: num(m.generation) || undefined,
    creationTimestamp: toTime(m.creationTimestamp),
    deletionTimestamp: toTime(m.deletionTimestamp),
    deletionGracePeriodSeconds: num(m.deletionGracePeriodSeconds),
    labels: strMap(m.labels),
    annotations: strMap(m.annotations),
    ownerReferences: list(m.ownerReferences).map(ownerReference),
    finalizers: Array.isArray(m.finalizers) ? m.finalizers : undefined,
  });
}

/** listMeta converts JSON ListMeta to its message form. */
export function listMeta(v: unknown): Msg {
  const m = (v ?? {}) as Msg;
  return compact({
    selfLink: str(m.selfLink),
    resourceVersion: str(m.resourceVersion),
    continue: str(m.continue),
    remainingItemCount: num(m.remainingItemCount),
  });
}

/** envelope wraps an encoded message as Kubernetes protobuf: magic, then runtime.Unknown. */
export function envelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  return Buffer.concat([envelopeHead(apiVersion, kind, raw.length), raw]);
}

/** envelopeHead is what precedes a message of rawLength bytes in its envelope: magic, then
 * runtime.Unknown's typeMeta and the tag and length of its raw field, the message itself. */
export function envelopeHead(apiVersion: string, kind: string, rawLength: number): Buffer {
  const typeMeta = Messages.Unknown.encode({ typeMeta: { apiVersion, kind } }).finish();
  const length: number[] = [];
  for (let v = rawLength; ; v = Math.floor(v / 128)) {
    if (v < 128) {
      length.push(v);
      break;
    }
    length.push((v % 128) | 0x80);
  }
  return Buffer.concat([MAGIC, typeMeta, Buffer.from([0x12, ...length])]);
}

/** encodePartialObjectMetadata encodes {apiVersion, kind, metadata} as a protobuf PartialObjectMetadata. */
export function encodePartialObjectMetadata(obj: Loose<'apiVersion' | 'kind' | 'metadata'>): Buffer {
  const raw = Messages.PartialObjectMetadata.encode({ metadata: objectMeta(obj.metadata) }).finish();
  return envelope(str(obj.apiVersion) ?? 'meta.k8s.io/v1', str(obj.kind) ?? 'PartialObjectMetadata', raw);
}

/** encodePartialObjectMetadataList encodes {apiVersion, kind, metadata, items} as a protobuf PartialObjectMetadataList. */
export function encodePartialObjectMetadataList(
  l: Loose<'apiVersion' | 'kind' | 'metadata' | 'items'>,
): Buffer {
  return partialObjectMetadataListOf(str(l.apiVersion) ?? 'meta.k8s.io/v1', [
    encodeListMetaPart(l.metadata),
    encodeItemsPart(list(l.items)),
  ]);
}

/** encodeListMetaPart encodes a PartialObjectMetadataList's metadata alone; protobuf fields
 * concatenate, so this part followed by item parts is the whole list message. */
export function encodeListMetaPart(meta: unknown): Uint8Array {
  return Messages.PartialObjectMetadataList.encode({ metadata: listMeta(meta) }).finish();
}

/** encodeItemsPart encodes PartialObjectMetadata items ({metadata}) as list items alone. */
export function encodeItemsPart(items: readonly Loose<'metadata'>[]): Uint8Array {
  return Messages.PartialObjectMetadataList.encode({
    items: items.map((i) => ({ metadata: objectMeta(i.metadata) })),
  }).finish();
}

/**
 * encodeItemsOf encodes objects as PartialObjectMetadata list items: straight from their JSON
 * (UTF-8, joined by commas; joined fills starts with where each begins) when it can, else from
 * the objects decode() returns.
 */
export function encodeItemsOf(
  joined: (starts: number[]) => Uint8Array,
  decode: () => readonly Loose<'metadata'>[],
): Uint8Array {
  try {
    const starts: number[] = [];
    return encodeItemsFromTexts(joined(starts), starts);
  } catch {
    return encodeItemsPart(decode());
  }
}

/** partialObjectMetadataListOf wraps the parts of a list (encodeListMetaPart, encodeItemsPart). */
export function partialObjectMetadataListOf(apiVersion: string, parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(partialObjectMetadataListParts(apiVersion, parts));
}

/** partialObjectMetadataListParts is partialObjectMetadataListOf's bytes in pieces, not copied into one. */
export function partialObjectMetadataListParts(
  apiVersion: string,
  parts: readonly Uint8Array[],
): Uint8Array[] {
  const length = parts.reduce((n, p) => n + p.length, 0);
  return [envelopeHead(apiVersion, 'PartialObjectMetadataList', length), ...parts];
}

/** encodeStatus encodes a Status (see ../status.ts) as protobuf, for errors of protobuf requests. */
export function encodeStatus(s: Status): Buffer {
  const d = s.details;
  const details = d
    ? compact({
        name: str(d.name),
        group: str(d.group),
        kind: str(d.kind),
        causes: (d.causes ?? []).map((c) =>
          compact({ reason: str(c.reason), message: str(c.message), field: str(c.field) }),
        ),
        retryAfterSeconds: num(d.retryAfterSeconds),
      })
    : undefined;
  const msg = compact({
    metadata: {},
    status: str(s.status),
    message: str(s.message),
    reason: str(s.reason),
    details,
    code: s.code,
  });
  return envelope('v1', 'Status', Messages.Status.encode(msg).finish());
}

/** encodeWatchEvent encodes one protobuf watch frame: a 4-byte big-endian length, then WatchEvent{type, object.raw}. */
export function encodeWatchEvent(type: string, object: Buffer): Buffer {
  const event = Messages.WatchEvent.encode({ type, object: { raw: object } }).finish();
  const frame = Buffer.allocUnsafe(4 + event.length);
  frame.writeUInt32BE(event.length, 0);
  frame.set(event, 4);
  return frame;
}
