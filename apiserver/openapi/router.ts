// router.ts: serves /openapi/v3 (root and the federated.mesh/v1alpha1 document) and /openapi/v2 the way
// kube-openapi's handlers do, so kube-apiserver's aggregator and kubectl cache and revalidate them.
// Documents are built once; every request reuses the same bytes, hash and ETag.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Router } from 'express';
import type { Request, Response } from 'express';
import { notAcceptable } from '../status.js';
import { GROUP, VERSION } from '../types.js';
import { buildV2, buildV3 } from './documents.js';
import type { ResourceOpenAPIInfo } from './paths.js';
import { loadSchemas, packageRoot, type SchemaSet } from './schemas.js';

/** OpenAPIRouterOptions configure openapiRouter. */
export interface OpenAPIRouterOptions {
  /** The served resources; their kinds (and list kinds) must have schemas in openapi/. */
  resources: ResourceOpenAPIInfo[];
  /** Schemas to use instead of loading openapi/*.yaml (tests). */
  schemas?: SchemaSet;
  /** info.version of the documents; default the package version. */
  version?: string;
  /** Clock for Expires headers (tests). */
  now?: () => Date;
}

/** Served is a document encoded once, with its hash. */
export interface Served {
  bytes: Buffer;
  /** Uppercase hex SHA-512 of bytes, as kube-openapi computes it. */
  hash: string;
  /** The ETag header value: the hash in double quotes. */
  etag: string;
}

/** GV_PATH is the key and path of our group-version document under /openapi/v3/. */
export const GV_PATH = `apis/${GROUP}/${VERSION}`;
/** Media types of the protobuf OpenAPI encodings, which we do not produce (JSON is offered instead). */
const PROTO_TYPES = new Set([
  'application/com.github.proto-openapi.spec.v3@v1.0+protobuf',
  'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
]);

/** serve encodes a document once as JSON and computes its hash and ETag. */
export function serve(doc: unknown): Served {
  const bytes = Buffer.from(JSON.stringify(doc));
  const hash = createHash('sha512').update(bytes).digest('hex').toUpperCase();
  return { bytes, hash, etag: `"${hash}"` };
}

/** acceptsJSON reports whether an Accept header admits JSON (q > 0), in kube-openapi's terms. */
export function acceptsJSON(accept: string | undefined): boolean {
  if (!accept || accept.trim() === '') return true;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) continue;
    if (PROTO_TYPES.has(type)) continue;
    if (type === 'application/json' || type === '*/*' || type === 'application/*') return true;
  }
  return false;
}

/** etagMatches reports whether If-None-Match names the current ETag (or is *). */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

/** send answers with a served document, or 304 when the client already has it. */
function send(req: Request, res: Response, doc: Served): void {
  res.setHeader('ETag', doc.etag);
  res.setHeader('Vary', 'Accept');
  if (!acceptsJSON(req.headers.accept)) {
    res
      .status(406)
      .type('application/json')
      .send(JSON.stringify(notAcceptable(req.headers.accept ?? '').toStatus()));
    return;
  }
  if (etagMatches(req.headers['if-none-match'], doc.etag)) {
    res.status(304).end();
    return;
  }
  res.status(200).type('application/json').send(doc.bytes);
}

/** serveGroupVersion handles ?hash=: redirect when stale, cache for a year when current. */
function serveGroupVersion(req: Request, res: Response, doc: Served, now: () => Date): void {
  const hash = new URL(req.url, 'http://local').searchParams.get('hash');
  if (hash && hash !== doc.hash) {
    res.setHeader('Vary', 'Accept');
    res.redirect(301, `/openapi/v3/${GV_PATH}?hash=${doc.hash}`);
    return;
  }
  if (hash) {
    const expires = now();
    expires.setUTCFullYear(expires.getUTCFullYear() + 1);
    res.setHeader('Cache-Control', 'public, immutable');
    res.setHeader('Expires', expires.toUTCString());
  }
  send(req, res, doc);
}

/** packageVersion returns "v" plus the version in fedmesh's package.json. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return `v${pkg.version}`;
}

/** openapiRouter returns a Router serving GET /openapi/v3, /openapi/v3/apis/federated.mesh/v1alpha1 and /openapi/v2. */
export function openapiRouter(opts: OpenAPIRouterOptions): Router {
  const schemas = opts.schemas ?? loadSchemas();
  const version = opts.version ?? packageVersion();
  const now = opts.now ?? (() => new Date());
  const v3 = serve(buildV3(opts.resources, schemas, version));
  const v2 = serve(buildV2(opts.resources, schemas, version));
  const root = Buffer.from(
    JSON.stringify({ paths: { [GV_PATH]: { serverRelativeURL: `/openapi/v3/${GV_PATH}?hash=${v3.hash}` } } }),
  );
  const router = Router();
  router.get('/openapi/v3', (_req, res) => {
    res.status(200).type('application/json').send(root);
  });
  router.get(`/openapi/v3/${GV_PATH}`, (req, res) => serveGroupVersion(req, res, v3, now));
  router.get('/openapi/v2', (req, res) => send(req, res, v2));
  return router;
}
