// authz.ts: delegated authorization through SubjectAccessReview (authorization.k8s.io/v1), with
// upstream's always-allowed health paths and system:masters, a short decision cache, and
// upstream's Forbidden messages.
import type {
  AuthorizationV1Api,
  V1SubjectAccessReview,
  V1SubjectAccessReviewSpec,
} from '@kubernetes/client-node';
import { forbidden, internalError, type StatusError } from '../status.js';
import { describeApiError } from './errors.js';
import { TtlCache } from './ttlcache.js';
import type {
  Attributes,
  AuthLogger,
  AuthMetric,
  Authorizer,
  Decision,
  ResourceAttributes,
} from './types.js';

/** SubjectAccessReviewClient is the part of AuthorizationV1Api used here (wrap it to count calls). */
export type SubjectAccessReviewClient = Pick<AuthorizationV1Api, 'createSubjectAccessReview'>;

/** DEFAULT_ALWAYS_ALLOW_PATHS are the non-resource paths allowed without a SubjectAccessReview. */
export const DEFAULT_ALWAYS_ALLOW_PATHS = ['/healthz', '/readyz', '/livez'];
/** DEFAULT_ALWAYS_ALLOW_GROUPS are the groups allowed everything without a SubjectAccessReview. */
export const DEFAULT_ALWAYS_ALLOW_GROUPS = ['system:masters'];

/** SarAuthorizerOptions configure a SubjectAccessReviewAuthorizer. */
export interface SarAuthorizerOptions {
  client: SubjectAccessReviewClient;
  logger: AuthLogger;
  /** Paths allowed to anyone; a trailing "*" matches a prefix. Default DEFAULT_ALWAYS_ALLOW_PATHS. */
  alwaysAllowPaths?: string[];
  alwaysAllowGroups?: string[];
  /** Cache times; default 10 s each, as upstream. */
  allowedTtlMs?: number;
  deniedTtlMs?: number;
  maxEntries?: number;
  clock?: () => number;
  metric?: AuthMetric;
}

/** pathAllowed reports whether path matches one of the patterns (exact, or prefix with "*"). */
export function pathAllowed(path: string, patterns: string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : path === p));
}

function resourceAttributes(
  r: ResourceAttributes,
): NonNullable<V1SubjectAccessReviewSpec['resourceAttributes']> {
  const out: NonNullable<V1SubjectAccessReviewSpec['resourceAttributes']> = {
    namespace: r.namespace ?? '',
    verb: r.verb,
    group: r.group,
    version: r.version,
    resource: r.resource,
    subresource: r.subresource ?? '',
    name: r.name ?? '',
  };
  // kube-apiserver parses rawSelector itself when no requirements are given (1.31+).
  if (r.fieldSelector) out.fieldSelector = { rawSelector: r.fieldSelector };
  if (r.labelSelector) out.labelSelector = { rawSelector: r.labelSelector };
  return out;
}

/** sarSpec is the SubjectAccessReview spec for attrs, with a deterministic key order. */
export function sarSpec(attrs: Attributes): V1SubjectAccessReviewSpec {
  const u = attrs.user;
  const extra = Object.fromEntries(
    Object.keys(u.extra)
      .sort()
      .map((k) => [k, u.extra[k] ?? []]),
  );
  const spec: V1SubjectAccessReviewSpec = { user: u.username, uid: u.uid ?? '', groups: u.groups, extra };
  if (attrs.resource) spec.resourceAttributes = resourceAttributes(attrs.resource);
  else spec.nonResourceAttributes = { path: attrs.nonResource.path, verb: attrs.nonResource.verb };
  return spec;
}

/** SubjectAccessReviewAuthorizer asks kube-apiserver whether a user may do something. */
export class SubjectAccessReviewAuthorizer implements Authorizer {
  private readonly cache: TtlCache<Decision>;

  constructor(private readonly opts: SarAuthorizerOptions) {
    this.cache = new TtlCache(opts.maxEntries ?? 10_000, opts.clock);
  }

  /** authorize returns the decision; it throws a 500 StatusError when the review itself fails. */
  async authorize(attrs: Attributes): Promise<Decision> {
    const pre = this.shortcut(attrs);
    if (pre) return pre;
    const spec = sarSpec(attrs);
    const key = JSON.stringify(spec);
    const hit = this.cache.get(key);
    this.opts.metric?.('sar_cache_total', { result: hit ? 'hit' : 'miss' });
    if (hit) return hit;
    const decision = await this.review(spec);
    const ttl = decision.allowed ? (this.opts.allowedTtlMs ?? 10_000) : (this.opts.deniedTtlMs ?? 10_000);
    this.cache.set(key, decision, ttl);
    return decision;
  }

  private shortcut(attrs: Attributes): Decision | undefined {
    const paths = this.opts.alwaysAllowPaths ?? DEFAULT_ALWAYS_ALLOW_PATHS;
    if (attrs.nonResource && pathAllowed(attrs.nonResource.path, paths)) return { allowed: true };
    const groups = this.opts.alwaysAllowGroups ?? DEFAULT_ALWAYS_ALLOW_GROUPS;
    if (attrs.user.groups.some((g) => groups.includes(g))) return { allowed: true };
    return undefined;
  }

  private async review(spec: V1SubjectAccessReviewSpec): Promise<Decision> {
    const body: V1SubjectAccessReview = {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec,
    };
    let res: V1SubjectAccessReview;
    try {
      res = await this.opts.client.createSubjectAccessReview({ body });
    } catch (err) {
      this.opts.logger.error('SubjectAccessReview failed', { ...describeApiError(err) });
      throw internalError('authorization check failed');
    }
    const st = res.status;
    if (st?.evaluationError)
      this.opts.logger.warn('SubjectAccessReview evaluation error', { error: st.evaluationError });
    if (st?.allowed && st.denied) throw internalError('authorization check returned both allowed and denied');
    this.opts.metric?.('sar_total', { decision: st?.allowed ? 'allow' : st?.denied ? 'deny' : 'noopinion' });
    return { allowed: st?.allowed === true, ...(st?.reason ? { reason: st.reason } : {}) };
  }
}

function subjectMessage(attrs: Attributes): string {
  const who = `User ${JSON.stringify(attrs.user.username)}`;
  if (!attrs.resource)
    return `${who} cannot ${attrs.nonResource.verb} path ${JSON.stringify(attrs.nonResource.path)}`;
  const r = attrs.resource;
  const res = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  const base = `${who} cannot ${r.verb} resource ${JSON.stringify(res)} in API group ${JSON.stringify(r.group)}`;
  return r.namespace
    ? `${base} in the namespace ${JSON.stringify(r.namespace)}`
    : `${base} at the cluster scope`;
}

/** forbiddenMessage is upstream's 403 message for attrs, with ": <reason>" when there is one. */
export function forbiddenMessage(attrs: Attributes, reason?: string): string {
  const msg = reason ? `${subjectMessage(attrs)}: ${reason}` : subjectMessage(attrs);
  if (!attrs.resource) return `forbidden: ${msg}`;
  const { group, resource, name } = attrs.resource;
  const qualified = group ? `${resource}.${group}` : resource;
  return name
    ? `${qualified} ${JSON.stringify(name)} is forbidden: ${msg}`
    : `${qualified} is forbidden: ${msg}`;
}

/** forbiddenError is the 403 StatusError (message and details as upstream) for a denied request. */
export function forbiddenError(attrs: Attributes, decision: Decision): StatusError {
  if (!attrs.resource) return forbidden(forbiddenMessage(attrs, decision.reason));
  const { group, resource, name } = attrs.resource;
  return forbidden(forbiddenMessage(attrs, decision.reason), { group, resource }, name);
}
