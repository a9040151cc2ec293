// render.ts: response bodies in every negotiated form: objects and lists (reusing each object's
// cached JSON bytes), meta.k8s.io Tables and PartialObjectMetadata(List).
import {
  encodeItemsOf,
  encodeListMetaPart,
  encodePartialObjectMetadata,
  partialObjectMetadataListOf,
} from '../protobuf/index.js';
import { badRequest } from '../status.js';
import { joinBytes, type Entry } from '../store/entry.js';
import { GROUP_VERSION, type KObject } from '../types.js';
import type { Form } from './negotiate.js';
import type { ColumnDefinition, Resource } from './resource.js';

/** ListMeta is the metadata of a list response. */
export interface ListMeta {
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** Body is a rendered response: bytes plus content type. */
export interface Body {
  contentType: string;
  bytes: Buffer;
}

/** JSON_TYPE and PROTOBUF_TYPE are the content types of rendered bodies. */
export const JSON_TYPE = 'application/json';
export const PROTOBUF_TYPE = 'application/vnd.kubernetes.protobuf';

const NAME_COLUMN: ColumnDefinition = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description:
    'Name must be unique within a namespace. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names',
  priority: 0,
};

/** IncludeObject is the Table includeObject policy. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** includeObjectOf validates the includeObject query parameter. */
export function includeObjectOf(query: URLSearchParams): IncludeObject {
  const v = query.get('includeObject') ?? '';
  if (v === '' || v === 'Metadata') return 'Metadata';
  if (v === 'None' || v === 'Object') return v;
  throw badRequest(`unrecognized includeObject value: "${v}"`);
}

/** partialMetadata returns the PartialObjectMetadata form of an object. */
export function partialMetadata(obj: KObject, version: string): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

/** columnsOf returns the Table columns of a resource, Name first. */
export function columnsOf(r: Resource): ColumnDefinition[] {
  return [NAME_COLUMN, ...(r.table?.columns ?? [])];
}

/** tableRow renders one Table row (cells and the embedded object) as a JSON string. A row of a
 * list (bulk) reads the object without caching it or its forms. */
export function tableRow(
  r: Resource,
  e: Entry,
  include: IncludeObject,
  version: string,
  now: number,
  bulk = false,
): string {
  const obj = bulk ? e.peek() : e.obj;
  const cells = [obj.metadata.name, ...(r.table?.cells(obj, now) ?? [])];
  const head = `{"cells":${JSON.stringify(cells)}`;
  if (include === 'None') return head + '}';
  if (include === 'Object') return `${head},"object":${bulk ? e.peekText() : e.text}}`;
  const pom = bulk ? JSON.stringify(partialMetadata(obj, version)) : partialMetadataJSON(e, version);
  return `${head},"object":${pom}}`;
}

/** partialMetadataJSON returns the PartialObjectMetadata JSON of an entry, serialized once per version. */
export function partialMetadataJSON(e: Entry, version: string): string {
  return e.form(`pom/${version}`, (obj) => JSON.stringify(partialMetadata(obj, version)));
}

/** tableJSON renders a Table with the given rows (already JSON) and optional column definitions. */
export function tableJSON(
  r: Resource,
  rows: string[],
  meta: ListMeta | { resourceVersion: string },
  version: string,
  headers: boolean,
): string {
  return `${tableHead(r, meta, version, headers)}${rows.join(',')}]}`;
}

function tableHead(r: Resource, meta: ListMeta, version: string, headers: boolean): string {
  const cols = headers ? JSON.stringify(columnsOf(r)) : '[]';
  return `{"kind":"Table","apiVersion":"meta.k8s.io/${version}","metadata":${JSON.stringify(meta)},"columnDefinitions":${cols},"rows":[`;
}

/** ListText renders a JSON list (full objects, Table or PartialObjectMetadataList) in pieces:
 * the head, the items of each run of entries (comma-joined), then the tail. */
export interface ListText {
  head: string;
  items(entries: readonly Entry[]): string | Uint8Array;
  tail: string;
}

/** listText is the ListText of a negotiated JSON form. Items are read in bulk (entry.peek). */
export function listText(
  r: Resource,
  meta: ListMeta,
  form: Form,
  query: URLSearchParams,
  now: number,
): ListText {
  const tail = ']}';
  if (form.kind === 'table') {
    const include = includeObjectOf(query);
    return {
      head: tableHead(r, meta, form.version, true),
      items: (es) => es.map((e) => tableRow(r, e, include, form.version, now, true)).join(','),
      tail,
    };
  }
  const m = JSON.stringify(meta);
  if (form.kind === 'partial')
    return {
      head: `{"kind":"PartialObjectMetadataList","apiVersion":"meta.k8s.io/${form.version}","metadata":${m},"items":[`,
      items: (es) => es.map((e) => JSON.stringify(partialMetadata(e.peek(), form.version))).join(','),
      tail,
    };
  return {
    head: `{"kind":"${r.info.listKind}","apiVersion":"${GROUP_VERSION}","metadata":${m},"items":[`,
    items: (es) => joinBytes(es),
    tail,
  };
}

/** renderObject renders one object in the negotiated form. */
export function renderObject(r: Resource, e: Entry, form: Form, query: URLSearchParams, now: number): Body {
  if (form.kind === 'table') {
    const row = tableRow(r, e, includeObjectOf(query), form.version, now);
    return json(tableJSON(r, [row], { resourceVersion: String(e.rv) }, form.version, true));
  }
  if (form.kind === 'partial') {
    const pm = partialMetadata(e.obj, form.version);
    if (form.protobuf) return { contentType: PROTOBUF_TYPE, bytes: encodePartialObjectMetadata(pm) };
    return json(JSON.stringify(pm));
  }
  return json(e.text);
}

/** itemsPart encodes entries as protobuf PartialObjectMetadata list items. */
export const itemsPart = (entries: readonly Entry[]): Uint8Array =>
  encodeItemsOf(
    (starts) => joinBytes(entries, { starts, borrow: true, metadataOnly: true }),
    () => entries.map((e) => ({ metadata: e.peek().metadata })),
  );

/** renderList renders a page of entries in the negotiated form. */
export function renderList(
  r: Resource,
  entries: Entry[],
  meta: ListMeta,
  form: Form,
  query: URLSearchParams,
  now: number,
): Body {
  if (form.kind === 'partial' && form.protobuf) {
    const parts = [encodeListMetaPart(meta), itemsPart(entries)];
    return {
      contentType: PROTOBUF_TYPE,
      bytes: partialObjectMetadataListOf(`meta.k8s.io/${form.version}`, parts),
    };
  }
  const t = listText(r, meta, form, query, now);
  // Encoded in chunks: a long list is longer than the longest string V8 allows.
  const parts: Buffer[] = [Buffer.from(t.head)];
  for (let i = 0; i < entries.length; i += LIST_CHUNK) {
    if (i > 0) parts.push(Buffer.from(','));
    const items = t.items(entries.slice(i, i + LIST_CHUNK));
    parts.push(
      typeof items === 'string'
        ? Buffer.from(items)
        : Buffer.from(items.buffer, items.byteOffset, items.length),
    );
  }
  parts.push(Buffer.from(t.tail));
  return { contentType: JSON_TYPE, bytes: Buffer.concat(parts) };
}

const LIST_CHUNK = 4096;

function json(s: string): Body {
  return { contentType: JSON_TYPE, bytes: Buffer.from(s) };
}
