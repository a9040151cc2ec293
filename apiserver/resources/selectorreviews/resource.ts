// resource.ts: SelectorReview: create-only, like SubjectAccessReview. The server evaluates
// spec.selector (Calico syntax) across every endpoint of the mesh and answers in status: validity
// (with the error position), canonical form, unique ID, matches and their minimal CIDR cover.
import { SelectorError, type Core } from '../../../core/index.js';
import type { MeshStore } from '../../mesh/meshstore.js';
import type { Resource } from '../../rest/resource.js';
import { invalid, type StatusCause } from '../../status.js';
import { GROUP, GROUP_VERSION, type KObject } from '../../types.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;
const GR = { group: GROUP, resource: 'selectorreviews', kind: 'SelectorReview' };

interface Spec {
  selector: string;
  namespace?: string;
  limit: number;
}

function validate(obj: KObject): Spec {
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
  const out: Spec = { selector: spec.selector as string, limit: limit as number };
  if (spec.namespace) out.namespace = spec.namespace as string;
  return out;
}

function review(core: Core, mesh: MeshStore, spec: Spec): Record<string, unknown> {
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
    const r = mesh.review(sel, spec.namespace, spec.limit);
    return { valid: true, canonical: sel.canonical, uniqueID: sel.uniqueID, ...r };
  } finally {
    sel.dispose();
  }
}

/** selectorReviews returns the SelectorReview resource evaluating against mesh with core. */
export function selectorReviews(core: Core, mesh: MeshStore): Resource {
  return {
    info: {
      plural: 'selectorreviews',
      singular: 'selectorreview',
      kind: 'SelectorReview',
      listKind: 'SelectorReviewList',
      namespaced: false,
    },
    creator: {
      create: async (obj) => {
        const spec = validate(obj);
        return {
          apiVersion: GROUP_VERSION,
          kind: 'SelectorReview',
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
