// identity.ts: what a selector sees of an endpoint (DESIGN 3.3): its own labels, the
// federated.mesh identity labels, the Calico aliases, and as parents its namespace (pcns.*) and
// service account (pcsa.*) labels, own labels shadowing parents.
//
// The identity labels are the same for every endpoint of one cluster, namespace and service
// account, so they are indexed once, as a first parent those endpoints share, not once per
// endpoint. They override an endpoint's own label of the same key; since own labels shadow
// parents, such a label is left out of the endpoint's own labels, and lookups find the identity
// parent's value first, exactly as when the identity labels were merged over the own ones.
import {
  CLUSTER_LABEL,
  KIND_LABEL,
  NAMESPACE_LABEL,
  SERVICE_ACCOUNT_LABEL,
  type FederatedEndpoint,
  type FederatedHostEndpoint,
} from '../../api/index.js';
import type { EndpointUpdate, ParentUpdate } from '../../core/index.js';

/** namespaceParentID names a namespace parent; namespaces are per cluster. */
export const namespaceParentID = (cluster: string, ns: string): string => `${cluster}/kns.${ns}`;

/** serviceAccountParentID names a service-account parent. */
export const serviceAccountParentID = (cluster: string, ns: string, sa: string): string =>
  `${cluster}/ksa.${ns}.${sa}`;

/** identityParentID names the identity parent of a cluster's workloads in a namespace with a
 * service account (two dots after "kid."), or of its hosts ("kid.host"). */
const identityParentID = (cluster: string, ns?: string, sa?: string): string =>
  ns === undefined ? `${cluster}/kid.host` : `${cluster}/kid.${ns}.${sa}`;

// without returns labels less the keys of identity (a copy only when one is present).
function without(
  labels: Readonly<Record<string, string>> | undefined,
  identity: Readonly<Record<string, string>>,
): Record<string, string> {
  if (!labels) return {};
  if (!Object.keys(identity).some((k) => k in labels)) return labels;
  const out: Record<string, string> = {};
  for (const k in labels) if (!(k in identity)) out[k] = labels[k]!;
  return out;
}

/** workloadIdentityParent returns the identity parent a FederatedEndpoint refers to. */
export function workloadIdentityParent(fep: FederatedEndpoint): ParentUpdate {
  const { cluster, serviceAccount = 'default' } = fep.spec;
  const ns = fep.metadata.namespace!;
  const labels = {
    [CLUSTER_LABEL]: cluster,
    [NAMESPACE_LABEL]: ns,
    [SERVICE_ACCOUNT_LABEL]: serviceAccount,
    [KIND_LABEL]: 'workload',
    'projectcalico.org/namespace': ns,
    'projectcalico.org/serviceaccount': serviceAccount,
    'projectcalico.org/orchestrator': 'k8s',
  };
  return { id: identityParentID(cluster, ns, serviceAccount), labels };
}

/** workloadIdentity returns the index entry of a FederatedEndpoint. */
export function workloadIdentity(id: string, fep: FederatedEndpoint): EndpointUpdate {
  const { cluster, serviceAccount = 'default', ips = [] } = fep.spec;
  const ns = fep.metadata.namespace!;
  const identity = workloadIdentityParent(fep);
  const parents = [
    identity.id,
    namespaceParentID(cluster, ns),
    serviceAccountParentID(cluster, ns, serviceAccount),
  ];
  // A host-network pod's IPs are its node's: as in Calico, they join no IP set (a policy allowing
  // such a pod would otherwise allow everything on its node). The pod itself stays selectable.
  const labels = without(fep.metadata.labels, identity.labels);
  return { id, labels, parents, ips: fep.spec.hostNetwork ? [] : ips };
}

/** hostAddresses are a host endpoint's IP addresses (hostnames and other address kinds left out). */
export const hostAddresses = (fhep: FederatedHostEndpoint): string[] => [
  ...new Set((fhep.spec.addresses ?? []).map((a) => a.address).filter((a) => /^[0-9a-fA-F:.]+$/.test(a))),
];

/** hostIdentityParent returns the identity parent a FederatedHostEndpoint refers to. */
export function hostIdentityParent(fhep: FederatedHostEndpoint): ParentUpdate {
  const labels = { [CLUSTER_LABEL]: fhep.spec.cluster, [KIND_LABEL]: 'host' };
  return { id: identityParentID(fhep.spec.cluster), labels };
}

/** hostIdentity returns the index entry of a FederatedHostEndpoint. */
export function hostIdentity(id: string, fhep: FederatedHostEndpoint): EndpointUpdate {
  const identity = hostIdentityParent(fhep);
  const labels = without(fhep.metadata.labels, identity.labels);
  return { id, labels, parents: [identity.id], ips: hostAddresses(fhep) };
}
