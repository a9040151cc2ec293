// parents.ts: namespaces and service accounts of any cluster become parents in the label index:
// their labels as pcns.<key> and pcsa.<key> (Calico's profile labels), seen by every endpoint in
// them. They serve no object of their own.
import type { V1Namespace, V1ServiceAccount } from '@kubernetes/client-node';
import type { ParentUpdate } from '../../../core/index.js';
import { namespaceParentID, serviceAccountParentID } from '../identity.js';
import { defineKind, type SourceChange } from './kind.js';

function prefixed(
  prefix: string,
  labels: Record<string, string> | undefined,
  name: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) out[`${prefix}${k}`] = v;
  out[`${prefix}projectcalico.org/name`] = name;
  return out;
}

function parents<S>(
  changes: readonly SourceChange<S>[],
  up: (s: S) => ParentUpdate,
  id: (ref: { namespace?: string; name: string }) => string,
): { upsert: ParentUpdate[]; remove: string[] } {
  return {
    upsert: changes.flatMap((c) => ('upsert' in c ? [up(c.upsert)] : [])),
    remove: changes.flatMap((c) => ('delete' in c ? [id(c.delete)] : [])),
  };
}

/** namespaces is the mesh kind of namespaces: parents with pcns.* labels. */
export const namespaces = defineKind<V1Namespace>({
  name: 'namespaces',
  path: '/api/v1/namespaces',
  plan: (cluster, changes) => ({
    parents: parents(
      changes,
      (ns) => ({
        id: namespaceParentID(cluster, ns.metadata!.name!),
        labels: prefixed('pcns.', ns.metadata!.labels, ns.metadata!.name!),
      }),
      (ref) => namespaceParentID(cluster, ref.name),
    ),
  }),
});

/** serviceAccounts is the mesh kind of service accounts: parents with pcsa.* labels. */
export const serviceAccounts = defineKind<V1ServiceAccount>({
  name: 'serviceaccounts',
  path: '/api/v1/serviceaccounts',
  plan: (cluster, changes) => ({
    parents: parents(
      changes,
      (sa) => ({
        id: serviceAccountParentID(cluster, sa.metadata!.namespace!, sa.metadata!.name!),
        labels: prefixed('pcsa.', sa.metadata!.labels, sa.metadata!.name!),
      }),
      (ref) => serviceAccountParentID(cluster, ref.namespace!, ref.name),
    ),
  }),
});
