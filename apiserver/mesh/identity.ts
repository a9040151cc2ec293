// identity.ts: what a selector sees of an endpoint (DESIGN 3.3): its own labels, the
// federated.mesh identity labels, the Calico aliases, and as parents its namespace (pcns.*) and
// service account (pcsa.*) labels, own labels shadowing parents.
import {
  CLUSTER_LABEL,
  KIND_LABEL,
  NAMESPACE_LABEL,
  SERVICE_ACCOUNT_LABEL,
  type FederatedEndpoint,
  type FederatedHostEndpoint,
} from '../../api/index.js';
import type { EndpointUpdate } from '../../core/index.js';

/** namespaceParentID names a namespace parent; namespaces are per cluster. */
export const namespaceParentID = (cluster: string, ns: string): string => `${cluster}/kns.${ns}`;

/** serviceAccountParentID names a service-account parent. */
export const serviceAccountParentID = (cluster: string, ns: string, sa: string): string =>
  `${cluster}/ksa.${ns}.${sa}`;

/** workloadIdentity returns the index entry of a FederatedEndpoint. */
export function workloadIdentity(id: string, fep: FederatedEndpoint): EndpointUpdate {
  const { cluster, serviceAccount = 'default', ips = [] } = fep.spec;
  const ns = fep.metadata.namespace!;
  const labels = {
    ...fep.metadata.labels,
    [CLUSTER_LABEL]: cluster,
    [NAMESPACE_LABEL]: ns,
    [SERVICE_ACCOUNT_LABEL]: serviceAccount,
    [KIND_LABEL]: 'workload',
    'projectcalico.org/namespace': ns,
    'projectcalico.org/serviceaccount': serviceAccount,
    'projectcalico.org/orchestrator': 'k8s',
  };
  const parents = [namespaceParentID(cluster, ns), serviceAccountParentID(cluster, ns, serviceAccount)];
  // A host-network pod's IPs are its node's: as in Calico, they join no IP set (a policy allowing
  // such a pod would otherwise allow everything on its node). The pod itself stays selectable.
  return { id, labels, parents, ips: fep.spec.hostNetwork ? [] : ips };
}

/** hostAddresses are a host endpoint's IP addresses (hostnames and other address kinds left out). */
export const hostAddresses = (fhep: FederatedHostEndpoint): string[] => [
  ...new Set((fhep.spec.addresses ?? []).map((a) => a.address).filter((a) => /^[0-9a-fA-F:.]+$/.test(a))),
];

/** hostIdentity returns the index entry of a FederatedHostEndpoint. */
export function hostIdentity(id: string, fhep: FederatedHostEndpoint): EndpointUpdate {
  const labels = { ...fhep.metadata.labels, [CLUSTER_LABEL]: fhep.spec.cluster, [KIND_LABEL]: 'host' };
  return { id, labels, ips: hostAddresses(fhep) };
}
