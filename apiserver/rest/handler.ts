// handler.ts: the generic REST layer: dispatches get, list, watch and create of any registered
// resource by its capabilities, with negotiation, selectors and Status errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYAML } from 'yaml';
import type { UserInfo } from '../auth/types.js';
import { badRequest, methodNotSupported, notFound, StatusError, unsupportedMediaType } from '../status.js';
import { GROUP, GROUP_VERSION, type RequestObject } from '../types.js';
import { buildFilter, type Filter, type SelectorCompiler } from './filter.js';
import { listPage, planList } from './list.js';
import { streamList } from './liststream.js';
import { negotiate } from './negotiate.js';
import { renderList, renderObject, type Body } from './render.js';
import type { RequestInfo } from './request-info.js';
import type { CreateContext, Resource } from './resource.js';
import { serveWatch, type WatchOptions } from './watch.js';

/** RestDeps are what the REST layer needs from the server. */
export interface RestDeps {
  resources: ReadonlyMap<string, Resource>;
  compileSelector: SelectorCompiler;
  currentRV: () => number;
  watch: WatchOptions;
  maxBodyBytes: number;
}

/** RestRequest is one parsed resource request. */
export interface RestRequest {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  query: URLSearchParams;
  user: UserInfo;
  /** can asks the authorizer about another action of the same caller (see CreateContext). */
  can: CreateContext['can'];
}

/** resourceFor returns the registered resource of a request, or a 404 Status. */
export function resourceFor(deps: RestDeps, info: RequestInfo): Resource {
  const r = deps.resources.get(info.resource);
  const gr = { group: GROUP, resource: info.resource };
  if (!r || info.subresource !== undefined) throw notFound(gr, info.name ?? info.resource);
  if (!r.info.namespaced && info.namespace !== undefined) throw notFound(gr, info.name ?? info.resource);
  return r;
}

/** serveResource answers a resource request (the caller has authorized it). */
export async function serveResource(deps: RestDeps, rr: RestRequest): Promise<void> {
  const r = resourceFor(deps, rr.info);
  const gr = { group: GROUP, resource: r.info.plural };
  const { info, query, req, res } = rr;
  if (info.verb === 'create' && r.creator) return create(deps, r, rr);
  const reader = r.reader;
  if (!reader || !['get', 'list', 'watch'].includes(info.verb)) throw methodNotSupported(gr, info.verb);
  const filter = buildFilter(reader, query, info.namespace, deps.compileSelector);
  if (info.verb === 'watch') {
    const form = negotiate(req.headers.accept, false, false);
    res.once('close', () => filter.dispose());
    return serveWatch(res, r, reader.store, deps.currentRV(), filter, form, query, deps.watch);
  }
  try {
    await serveRead(deps, r, rr, filter);
  } finally {
    filter.dispose();
  }
}

async function serveRead(deps: RestDeps, r: Resource, rr: RestRequest, filter: Filter): Promise<void> {
  const { info, query, req, res } = rr;
  const gr = { group: GROUP, resource: r.info.plural };
  const reader = r.reader!;
  const now = Date.now();
  if (info.verb === 'get') {
    const key = info.namespace !== undefined ? `${info.namespace}/${info.name}` : info.name!;
    const e = reader.store.get(key);
    if (!e) throw notFound(gr, info.name!);
    return send(res, 200, renderObject(r, e, negotiate(req.headers.accept, false), query, now));
  }
  const form = negotiate(req.headers.accept, true);
  const plan = planList(reader.store, deps.currentRV(), query, filter);
  if (plan.limit === 0) return streamList(res, r, plan, form, query, now);
  const page = await listPage(reader.store, plan, filter);
  send(res, 200, renderList(r, page.entries, page.meta, form, query, now));
}

async function create(deps: RestDeps, r: Resource, rr: RestRequest): Promise<void> {
  const body = await readBody(rr.req, deps.maxBodyBytes);
  const obj = decodeObject(body, rr.req.headers['content-type'] ?? '');
  if (obj.apiVersion !== GROUP_VERSION || obj.kind !== r.info.kind) {
    throw badRequest(
      `the API version in the data (${obj.apiVersion}) and kind (${obj.kind}) do not match the expected ${GROUP_VERSION} ${r.info.kind}`,
    );
  }
  const dryRun = rr.query.getAll('dryRun').includes('All');
  const created = await r.creator!.create(obj, { user: rr.user, dryRun, can: rr.can });
  send(rr.res, 201, { contentType: 'application/json', bytes: Buffer.from(JSON.stringify(created)) });
}

function decodeObject(body: Buffer, contentType: string): RequestObject {
  const ct = contentType.split(';')[0]!.trim().toLowerCase();
  let parsed: unknown;
  try {
    if (ct === 'application/json' || ct === '') parsed = JSON.parse(body.toString('utf8'));
    else if (ct === 'application/yaml' || ct === 'application/x-yaml')
      parsed = parseYAML(body.toString('utf8'));
    else throw unsupportedMediaType(ct);
  } catch (err) {
    if (err instanceof StatusError) throw err;
    throw badRequest(`the request body could not be decoded: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw badRequest('the request body must be an object');
  if (tooDeep(parsed, MAX_DEPTH))
    throw badRequest(`the request body is nested more than ${MAX_DEPTH} levels deep`);
  const o = parsed as RequestObject;
  if (typeof o.metadata !== 'object' || o.metadata === null) o.metadata = { name: '' };
  return o;
}

const tooLarge = (max: number): StatusError =>
  new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${max}`);

// readBody buffers a request body up to max bytes. A larger body is refused with 413 without
// resetting the connection: the rest is read and dropped, so the client (or kube-apiserver's
// proxy, which streams the body) receives the Status instead of a reset.
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) {
    req.resume();
    return Promise.reject(tooLarge(max));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size <= max) return void chunks.push(c);
      req.off('data', onData);
      chunks.length = 0;
      req.resume();
      reject(tooLarge(max));
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** MAX_DEPTH is how deeply a request body may nest objects and arrays (fedmesh's kinds need 5). */
export const MAX_DEPTH = 100;

// tooDeep measures nesting without recursion (a deep document must not overflow the stack).
function tooDeep(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > max) return true;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return false;
}

/** send writes a rendered body with its status code. */
export function send(res: ServerResponse, code: number, body: Body): void {
  res.writeHead(code, { 'Content-Type': body.contentType, 'Content-Length': body.bytes.length });
  res.end(body.bytes);
}
