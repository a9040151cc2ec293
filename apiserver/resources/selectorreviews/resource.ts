// resource.ts: SelectorReview: create-only, like SubjectAccessReview. The server evaluates
// spec.selector (Calico syntax) across every endpoint of the mesh and answers in status: validity
// (with the error position), canonical form, unique ID, matches and their minimal CIDR cover.
import {
  GROUP,
  GROUP_VERSION,
  SELECTOR_REVIEWS as NAMES,
  type SelectorMatch,
  type SelectorReviewSpec,
  type SelectorReviewStatus,
} from '../../../api/index.js';
import { SelectorError, type Core, type Selector } from '../../../core/index.js';
import { hostAddresses } from '../../mesh/identity.js';
import type { MeshMatch, MeshStore } from '../../mesh/meshstore.js';
import type { Resource } from '../../rest/resource.js';
import { invalid, type StatusCause } from '../../status.js';
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

function matchesOf(
  core: Core,
  mesh: MeshStore,
  sel: Selector,
  spec: SelectorReviewSpec,
): SelectorReviewStatus {
  const matches = mesh
    .matching(sel)
    .map(toMatch)
    .filter((m) => spec.namespace === undefined || m.namespace === spec.namespace)
    .sort((a, b) => (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name));
  const cidrs = core.cidrCover(matches.flatMap((m) => m.ips ?? []));
  return { matchCount: matches.length, matches: matches.slice(0, spec.limit), cidrs };
}

function review(core: Core, mesh: MeshStore, spec: SelectorReviewSpec): SelectorReviewStatus {
  let sel;
  try {
    sel = core.parse(spec.selector);
  } catch (e) {
    if (!(e instanceof SelectorError)) throw e;
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
      ...matchesOf(core, mesh, sel, spec),
    };
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
      create: async (obj): Promise<KObject & { spec: unknown; status: SelectorReviewStatus }> => {
        const spec = validate(obj);
        return {
          apiVersion: GROUP_VERSION,
          kind: NAMES.kind,
          metadata: {
            ...obj.metadata,
            creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          },
          spec: obj.spec,
          status: review(core, mesh, spec),
        };
      },
    },
  };
}
