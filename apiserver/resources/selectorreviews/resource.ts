// resource.ts: SelectorReview: create-only, like SubjectAccessReview. The server evaluates
// spec.selector (Calico syntax) across every endpoint of the mesh and answers in status: validity
// (with the error position), canonical form, unique ID, matches and their minimal CIDR cover.
import {
  FEDERATED_ENDPOINTS,
  FEDERATED_HOST_ENDPOINTS,
  GROUP,
  GROUP_VERSION,
  SELECTOR_REVIEWS as NAMES,
  type SelectorMatch,
  type SelectorReviewSpec,
  type SelectorReviewStatus,
} from '../../../api/index.js';
import {
  CoreTrapError,
  SelectorError,
  type Core,
  type Selector,
  type SelectorLimit,
} from '../../../core/index.js';
import { hostAddresses } from '../../mesh/identity.js';
import type { MeshMatch, MeshStore } from '../../mesh/meshstore.js';
import type { CreateContext, Resource } from '../../rest/resource.js';
import { invalid, StatusError, type StatusCause } from '../../status.js';
import type { KObject, RequestObject } from '../../types.js';
import { resourceInfo } from '../info.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;
const GR = { group: GROUP, resource: NAMES.plural, kind: NAMES.kind };

function validate(obj: RequestObject): SelectorReviewSpec {
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const causes: StatusCause[] = [];
  if (typeof spec.selector !== 'string') {
    causes.push({
      reason: 'FieldValueRequired',
      field: 'spec.selector',
      message: 'Required value: a selector such as app == "db"',
    });
  }
  if (spec.namespace !== undefined && typeof spec.namespace !== 'string') {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.namespace',
      message: 'Invalid value: must be a string',
    });
  }
  const limit = spec.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || (limit as number) < 0 || (limit as number) > MAX_LIMIT) {
    causes.push({
      reason: 'FieldValueInvalid',
      field: 'spec.limit',
      message: `Invalid value: ${JSON.stringify(limit)}: must be an integer from 0 to ${MAX_LIMIT}`,
    });
  }
  if (causes.length > 0) throw invalid(GR, obj.metadata.name ?? '', causes);
  const out: SelectorReviewSpec = { selector: spec.selector as string, limit: limit as number };
  if (spec.namespace) out.namespace = spec.namespace as string;
  return out;
}

function toMatch(m: MeshMatch): SelectorMatch {
  const { metadata, spec } = m.obj;
  const ips = m.kind === 'workload' ? (m.obj.spec.ips ?? []) : hostAddresses(m.obj);
  const out: SelectorMatch = { cluster: spec.cluster, name: metadata.name, kind: m.kind, ips: [...ips] };
  if (metadata.namespace) out.namespace = metadata.namespace;
  return out;
}

// Visibility is what of the mesh a caller may see through a review: the namespaces whose workload
// endpoints it may list, and whether it may list host endpoints.
interface Visibility {
  allNamespaces: boolean;
  namespaces: ReadonlySet<string>;
  hosts: boolean;
}

const SAR_CONCURRENCY = 16;

// visibility asks the authorizer, as kube-apiserver would answer a list of the same endpoints:
// cluster-wide first, then (only when that is denied) each namespace that holds a match.
async function visibility(can: CreateContext['can'], matches: SelectorMatch[]): Promise<Visibility> {
  const list = (resource: string, namespace?: string): Promise<boolean> =>
    can({ verb: 'list', resource, ...(namespace === undefined ? {} : { namespace }) });
  const [allNamespaces, hosts] = await Promise.all([
    list(FEDERATED_ENDPOINTS.plural),
    list(FEDERATED_HOST_ENDPOINTS.plural),
  ]);
  const namespaces = new Set<string>();
  if (!allNamespaces) {
    const wanted = [...new Set(matches.flatMap((m) => (m.namespace === undefined ? [] : [m.namespace])))];
    for (let i = 0; i < wanted.length; i += SAR_CONCURRENCY) {
      const batch = wanted.slice(i, i + SAR_CONCURRENCY);
      const allowed = await Promise.all(batch.map((ns) => list(FEDERATED_ENDPOINTS.plural, ns)));
      batch.forEach((ns, j) => allowed[j] && namespaces.add(ns));
    }
  }
  return { allNamespaces, namespaces, hosts };
}

const visible = (v: Visibility, m: SelectorMatch): boolean =>
  m.kind === 'host' ? v.hosts : v.allNamespaces || v.namespaces.has(m.namespace ?? '');

async function matchesOf(
  core: Core,
  mesh: MeshStore,
  sel: Selector,
  spec: SelectorReviewSpec,
  can: CreateContext['can'],
): Promise<SelectorReviewStatus> {
  const all = (await mesh.matching(sel))
    .map(toMatch)
    .filter((m) => spec.namespace === undefined || m.namespace === spec.namespace);
  const v = await visibility(can, all);
  const matches = all
    .filter((m) => visible(v, m))
    .sort((a, b) => (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name));
  const cidrs = core.cidrCover(matches.flatMap((m) => m.ips ?? []));
  const status: SelectorReviewStatus = {
    matchCount: matches.length,
    matches: matches.slice(0, spec.limit),
    cidrs,
  };
  if (!v.allNamespaces || !v.hosts) status.filtered = true;
  return status;
}

// limitCause is the 422 cause of a selector over a size limit, in upstream's TooLong/TooMany words.
function limitCause(l: SelectorLimit): StatusCause {
  if (l.what === 'bytes') {
    return {
      reason: 'FieldValueTooLong',
      field: 'spec.selector',
      message: `Too long: may not be more than ${l.max} bytes (the selector has ${l.actual} bytes)`,
    };
  }
  return {
    reason: 'FieldValueTooMany',
    field: 'spec.selector',
    message: `Too many: ${l.actual}: must have at most ${l.max} terms (label comparisons, has(), all() and global())`,
  };
}

// unavailable answers a review after the core trapped: the liveness check restarts the server.
const unavailable = (): StatusError =>
  new StatusError(
    503,
    'ServiceUnavailable',
    'selector reviews are unavailable: the selector core stopped after an internal error and the server is restarting',
    { retryAfterSeconds: 5 },
  );

async function review(
  core: Core,
  mesh: MeshStore,
  name: string,
  spec: SelectorReviewSpec,
  can: CreateContext['can'],
): Promise<SelectorReviewStatus> {
  let sel;
  try {
    sel = await core.parseInTurns(spec.selector);
  } catch (e) {
    if (e instanceof CoreTrapError) throw unavailable();
    if (!(e instanceof SelectorError)) throw e;
    if (e.limit) throw invalid(GR, name, [limitCause(e.limit)]);
    return {
      valid: false,
      error: { message: e.reason, position: e.position },
      matchCount: 0,
      matches: [],
      cidrs: [],
    };
  }
  try {
    return {
      valid: true,
      canonical: sel.canonical,
      uniqueID: sel.uniqueID,
      ...(await matchesOf(core, mesh, sel, spec, can)),
    };
  } catch (e) {
    throw e instanceof CoreTrapError ? unavailable() : e;
  } finally {
    sel.dispose();
  }
}

/** selectorReviews returns the SelectorReview resource evaluating against mesh with core. */
export function selectorReviews(core: Core, mesh: MeshStore): Resource {
  return {
    info: resourceInfo(NAMES, []),
    creator: {
      // spec is echoed as sent, as SubjectAccessReview does.
      create: async (obj, ctx): Promise<KObject & { spec: unknown; status: SelectorReviewStatus }> => {
        const spec = validate(obj);
        return {
          apiVersion: GROUP_VERSION,
          kind: NAMES.kind,
          metadata: {
            ...obj.metadata,
            creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          },
          spec: obj.spec,
          status: await review(core, mesh, obj.metadata.name ?? '', spec, ctx.can),
        };
      },
    },
  };
}
