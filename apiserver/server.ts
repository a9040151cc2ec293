// server.ts: fedmesh-apiserver's HTTP pipeline: audit ID, health, authentication,
// authorization, then discovery, OpenAPI, metrics or the generic REST layer. Every error is a
// Status; anything unexpected is logged and answered as InternalError.
import express, { type NextFunction, type Request, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { Admission } from './admission.js';
import { authRequestFrom } from './auth/authn.js';
import { forbiddenError } from './auth/authz.js';
import type { Attributes, Authenticator, Authorizer, UserInfo } from './auth/types.js';
import type { Discovery } from './discovery.js';
import type { Logger } from './log.js';
import type { Metrics } from './metrics.js';
import { serveResource, type RestDeps } from './rest/handler.js';
import { isResourcePath, parseRequestInfo, type RequestInfo } from './rest/request-info.js';
import { notFound, toStatusError, unauthorized, type StatusError } from './status.js';
import { GROUP, VERSION } from './types.js';

/** HealthCheck is a named readiness or liveness check. */
export interface HealthCheck {
  name: string;
  check: () => string | undefined;
}

/** AppDeps wire the pipeline. */
export interface AppDeps {
  admission: Admission;
  authenticator: Authenticator;
  authorizer: Authorizer;
  discovery: Discovery;
  openapi: express.Router;
  rest: RestDeps;
  metrics: Metrics;
  log: Logger;
  readyChecks: HealthCheck[];
  liveChecks: HealthCheck[];
}

const HEALTH_PATHS = new Set(['/healthz', '/livez', '/readyz']);

/** sendStatus writes a Status error response. */
export function sendStatus(res: Response, err: StatusError): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  if (err.details?.retryAfterSeconds) res.setHeader('Retry-After', String(err.details.retryAfterSeconds));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.status(err.code).type('application/json').send(JSON.stringify(err.toStatus()));
}

function health(req: Request, res: Response, checks: HealthCheck[]): void {
  const results = checks.map((c) => ({ name: c.name, error: c.check() }));
  const failed = results.filter((r) => r.error !== undefined);
  const verbose = req.query.verbose !== undefined;
  res.status(failed.length ? 500 : 200).type('text/plain');
  if (!verbose) {
    res.send(failed.length ? failed.map((f) => `[-]${f.name} failed: ${f.error}`).join('\n') + '\n' : 'ok');
    return;
  }
  const lines = results.map((r) =>
    r.error === undefined ? `[+]${r.name} ok` : `[-]${r.name} failed: ${r.error}`,
  );
  res.send(`${lines.join('\n')}\n${req.path.slice(1)} check ${failed.length ? 'failed' : 'passed'}\n`);
}

function attributesFor(
  user: UserInfo,
  method: string,
  path: string,
  info: RequestInfo | undefined,
  q: URLSearchParams,
): Attributes {
  if (!info)
    return {
      user,
      nonResource: { verb: method.toLowerCase() === 'head' ? 'get' : method.toLowerCase(), path },
    };
  const resource: Attributes['resource'] = {
    verb: info.verb,
    group: GROUP,
    version: VERSION,
    resource: info.resource,
  };
  if (info.subresource) resource.subresource = info.subresource;
  if (info.namespace) resource.namespace = info.namespace;
  if (info.name) resource.name = info.name;
  if (q.get('labelSelector')) resource.labelSelector = q.get('labelSelector')!;
  if (q.get('fieldSelector')) resource.fieldSelector = q.get('fieldSelector')!;
  return { user, resource };
}

/** buildApp returns the express application of fedmesh-apiserver. */
export function buildApp(d: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((req, res, next) => {
    const auditID = typeof req.headers['audit-id'] === 'string' ? req.headers['audit-id'] : randomUUID();
    res.setHeader('Audit-Id', auditID);
    res.locals.auditID = auditID;
    d.metrics.observeRequest(req, res);
    next();
  });
  app.use(d.admission.middleware());
  app.get(['/healthz', '/livez'], (req, res) => health(req, res, d.liveChecks));
  app.get('/readyz', (req, res) => health(req, res, d.readyChecks));
  app.use((req, res, next) => void authenticateAndAuthorize(d, req, res).then(next, next));
  app.get('/metrics', (_req, res, next) => void d.metrics.render(res).catch(next));
  app.use('/', d.openapi);
  app.use((req, res, next) => {
    if (d.discovery.handle(req, res, req.path)) return;
    if (!res.locals.info) return next(notFound({ group: '', resource: '' }, req.path));
    serveResource(d.rest, {
      req,
      res,
      info: res.locals.info as RequestInfo,
      query: new URLSearchParams(req.url.split('?')[1] ?? ''),
      user: res.locals.user as UserInfo,
      can: async (a) => {
        const resource = { ...a, group: GROUP, version: VERSION };
        return (await d.authorizer.authorize({ user: res.locals.user as UserInfo, resource })).allowed;
      },
    }).catch(next);
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { error, unexpected } = toStatusError(err);
    if (unexpected)
      d.log.error('request failed', {
        path: req.path,
        auditID: res.locals.auditID,
        error: String((err as Error)?.stack ?? err),
      });
    sendStatus(res, error);
  });
  return app;
}

async function authenticateAndAuthorize(d: AppDeps, req: Request, res: Response): Promise<void> {
  if (HEALTH_PATHS.has(req.path)) return;
  const user = await d.authenticator.authenticate(authRequestFrom(req));
  if (!user) throw unauthorized();
  const query = new URLSearchParams(req.url.split('?')[1] ?? '');
  const info = isResourcePath(req.path) ? parseRequestInfo(req.method, req.path, query) : undefined;
  const attrs = attributesFor(user, req.method, req.path, info, query);
  const decision = await d.authorizer.authorize(attrs);
  if (!decision.allowed) throw forbiddenError(attrs, decision);
  res.locals.user = user;
  res.locals.info = info;
  if (!['GET', 'HEAD', 'OPTIONS'].includes(req.method)) auditOnFinish(d, req, res, user, info);
  d.log.debug('request', {
    auditID: res.locals.auditID,
    user: user.username,
    verb: info?.verb ?? req.method,
    path: req.path,
  });
}

// auditOnFinish writes one audit line for a mutating request when its response is sent: who did
// what to which object and the outcome (no body, no credential).
function auditOnFinish(d: AppDeps, req: Request, res: Response, user: UserInfo, info?: RequestInfo): void {
  const start = Date.now();
  res.once('close', () =>
    d.log.info('audit', {
      auditID: res.locals.auditID,
      user: user.username,
      groups: user.groups,
      verb: info?.verb ?? req.method.toLowerCase(),
      resource: info?.resource,
      namespace: info?.namespace,
      name: info?.name,
      code: res.statusCode,
      latencyMs: Date.now() - start,
    }),
  );
}
