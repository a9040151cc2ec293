// discovery.ts: legacy discovery (APIGroupList, APIGroup, APIResourceList) and aggregated
// discovery v2 (with ETag and 304), built once from the resource registry.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { verbsOf, type Resource } from './rest/resource.js';
import { GROUP, GROUP_VERSION, VERSION } from './types.js';

const V2_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const V2BETA1_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

interface Doc {
  bytes: Buffer;
  contentType: string;
  etag?: string;
}

/** Discovery holds the serialized discovery documents. */
export class Discovery {
  readonly #resourceList: Doc;
  readonly #group: Doc;
  readonly #groupList: Doc;
  readonly #v2: Doc;
  readonly #v2beta1: Doc;

  constructor(resources: readonly Resource[]) {
    const version = { groupVersion: GROUP_VERSION, version: VERSION };
    const group = { name: GROUP, versions: [version], preferredVersion: version };
    this.#resourceList = json({
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: GROUP_VERSION,
      resources: resources.map(legacyResource),
    });
    this.#group = json({ kind: 'APIGroup', apiVersion: 'v1', ...group });
    this.#groupList = json({ kind: 'APIGroupList', apiVersion: 'v1', groups: [group] });
    this.#v2 = aggregated(resources, 'v2', V2_TYPE);
    this.#v2beta1 = aggregated(resources, 'v2beta1', V2BETA1_TYPE);
  }

  /** handle serves path if it is a discovery path; returns false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse, path: string): boolean {
    const p = path.replace(/\/+$/, '');
    if (p === `/apis/${GROUP_VERSION}`) return write(req, res, this.#resourceList);
    if (p === `/apis/${GROUP}`) return write(req, res, this.#group);
    if (p !== '/apis') return false;
    const accept = req.headers.accept ?? '';
    if (acceptsAggregated(accept, 'v2')) return write(req, res, this.#v2);
    if (acceptsAggregated(accept, 'v2beta1')) return write(req, res, this.#v2beta1);
    return write(req, res, this.#groupList);
  }
}

function acceptsAggregated(accept: string, v: string): boolean {
  return accept.split(',').some((r) => {
    const params = new Set(r.split(';').map((s) => s.trim().replace(/\s/g, '')));
    return (
      params.has('g=apidiscovery.k8s.io') && params.has(`v=${v}`) && params.has('as=APIGroupDiscoveryList')
    );
  });
}

function legacyResource(r: Resource): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: r.info.plural,
    singularName: r.info.singular,
    namespaced: r.info.namespaced,
    kind: r.info.kind,
    verbs: verbsOf(r),
  };
  if (r.info.shortNames?.length) out.shortNames = r.info.shortNames;
  if (r.info.categories?.length) out.categories = r.info.categories;
  return out;
}

function aggregated(resources: readonly Resource[], v: string, contentType: string): Doc {
  const items = resources.map((r) => {
    const out: Record<string, unknown> = {
      resource: r.info.plural,
      singularResource: r.info.singular,
      scope: r.info.namespaced ? 'Namespaced' : 'Cluster',
      responseKind: { group: GROUP, version: VERSION, kind: r.info.kind },
      verbs: verbsOf(r),
    };
    if (r.info.shortNames?.length) out.shortNames = r.info.shortNames;
    if (r.info.categories?.length) out.categories = r.info.categories;
    return out;
  });
  const doc = {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${v}`,
    metadata: {},
    items: [
      { metadata: { name: GROUP }, versions: [{ version: VERSION, freshness: 'Current', resources: items }] },
    ],
  };
  const bytes = Buffer.from(JSON.stringify(doc));
  return { bytes, contentType, etag: `"${createHash('sha512').update(bytes).digest('hex').toUpperCase()}"` };
}

function json(o: unknown): Doc {
  return { bytes: Buffer.from(JSON.stringify(o)), contentType: 'application/json' };
}

function write(req: IncomingMessage, res: ServerResponse, doc: Doc): true {
  if (doc.etag) {
    res.setHeader('ETag', doc.etag);
    res.setHeader('Vary', 'Accept');
    res.setHeader('Cache-Control', 'public');
    if (req.headers['if-none-match'] === doc.etag) {
      res.writeHead(304).end();
      return true;
    }
  }
  res.writeHead(200, { 'Content-Type': doc.contentType, 'Content-Length': doc.bytes.length });
  res.end(doc.bytes);
  return true;
}
