// identity.ts: what a selector sees of an endpoint (DESIGN 3.3): its own labels, the
// federated.mesh identity labels, the Calico aliases, and as parents its namespace (pcns.*) and
// service account (pcsa.*) labels, own labels shadowing parents.
import type { EndpointUpdate, ParentUpdate } from '../../core/index.js';
import type { KObject } from '../types.js';
import { CLUSTER_LABEL } from './convert.js';

/** namespaceParentID names a namespace parent; namespaces are per cluster. */
export const namespaceParentID = (cluster: string, ns: string): string => `${cluster}/kns.${ns}`;

/** serviceAccountParentID names a service-account parent. */
export const serviceAccountParentID = (cluster: string, ns: string, sa: string): string =>
  `${cluster}/ksa.${ns}.${sa}`;

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

/** namespaceParent returns the parent of a namespace: its labels as pcns.<key>. */
export function namespaceParent(
  cluster: string,
  name: string,
  labels: Record<string, string> | undefined,
): ParentUpdate {
  return { id: namespaceParentID(cluster, name), labels: prefixed('pcns.', labels, name) };
}

/** serviceAccountParent returns the parent of a service account: its labels as pcsa.<key>. */
export function serviceAccountParent(
  cluster: string,
  ns: string,
  name: string,
  labels: Record<string, string> | undefined,
): ParentUpdate {
  return { id: serviceAccountParentID(cluster, ns, name), labels: prefixed('pcsa.', labels, name) };
}

/** workloadIdentity returns the index entry of a FederatedEndpoint. */
export function workloadIdentity(id: string, fep: KObject): EndpointUpdate {
  const spec = fep.spec as { cluster: string; serviceAccount: string; ips: string[] };
  const ns = fep.metadata.namespace!;
  const labels = {
    ...fep.metadata.labels,
    [CLUSTER_LABEL]: spec.cluster,
    'federated.mesh/namespace': ns,
    'federated.mesh/serviceaccount': spec.serviceAccount,
    'federated.mesh/kind': 'workload',
    'projectcalico.org/namespace': ns,
    'projectcalico.org/serviceaccount': spec.serviceAccount,
    'projectcalico.org/orchestrator': 'k8s',
  };
  const parents = [
    namespaceParentID(spec.cluster, ns),
    serviceAccountParentID(spec.cluster, ns, spec.serviceAccount),
  ];
  return { id, labels, parents, ips: spec.ips };
}

/** hostIdentity returns the index entry of a FederatedHostEndpoint. */
export function hostIdentity(id: string, fhep: KObject): EndpointUpdate {
  const spec = fhep.spec as { cluster: string; addresses: { address: string }[] };
  const labels = { ...fhep.metadata.labels, [CLUSTER_LABEL]: spec.cluster, 'federated.mesh/kind': 'host' };
  const ips = [...new Set(spec.addresses.map((a) => a.address).filter((a) => /^[0-9a-fA-F:.]+$/.test(a)))];
  return { id, labels, ips };
}
