// names.ts: the names fedmesh's API is made of: groups, versions, resources, labels and
// annotations, and the rules names follow (DNS labels, federated object names, VTEP MACs).
// Defined once here; apiserver/, kubectl-plugin/ and node/ import them.
import crypto, { createHash } from 'node:crypto';

/** GROUP is the aggregated API group fedmesh-apiserver serves. */
export const GROUP = 'federated.mesh';
/** VERSION is the served version of GROUP. */
export const VERSION = 'v1alpha1';
/** GROUP_VERSION is GROUP/VERSION, the apiVersion of served objects. */
export const GROUP_VERSION = `${GROUP}/${VERSION}`;
/** APISERVICE_NAME is the name of fedmesh's APIService. */
export const APISERVICE_NAME = `${VERSION}.${GROUP}`;

/** CONFIG_GROUP is the group of fedmesh's configuration CRDs. */
export const CONFIG_GROUP = 'config.federated.mesh';
/** CONFIG_VERSION is the version of CONFIG_GROUP. */
export const CONFIG_VERSION = 'v1alpha1';
/** CONFIG_GROUP_VERSION is the apiVersion of configuration objects. */
export const CONFIG_GROUP_VERSION = `${CONFIG_GROUP}/${CONFIG_VERSION}`;

/** GroupVersionResource names a resource in API paths and client calls. */
export interface GroupVersionResource {
  group: string;
  version: string;
  plural: string;
}

/** ResourceNames are the names of one resource kind. */
export interface ResourceNames extends GroupVersionResource {
  kind: string;
  singular: string;
  shortNames: readonly string[];
  namespaced: boolean;
}

const served = (kind: string, plural: string, shortNames: string[], namespaced: boolean): ResourceNames => ({
  group: GROUP,
  version: VERSION,
  kind,
  plural,
  singular: kind.toLowerCase(),
  shortNames,
  namespaced,
});

const config = (kind: string, plural: string, shortNames: string[], namespaced: boolean): ResourceNames => ({
  ...served(kind, plural, shortNames, namespaced),
  group: CONFIG_GROUP,
  version: CONFIG_VERSION,
});

/** FEDERATED_ENDPOINTS names the FederatedEndpoint resource. */
export const FEDERATED_ENDPOINTS = served('FederatedEndpoint', 'federatedendpoints', ['fep'], true);
/** FEDERATED_HOST_ENDPOINTS names the FederatedHostEndpoint resource. */
export const FEDERATED_HOST_ENDPOINTS = served(
  'FederatedHostEndpoint',
  'federatedhostendpoints',
  ['fhep'],
  false,
);
/** FEDERATED_SERVICES names the FederatedService resource. */
export const FEDERATED_SERVICES = served('FederatedService', 'federatedservices', ['fsvc'], true);
/** SELECTOR_REVIEWS names the SelectorReview resource. */
export const SELECTOR_REVIEWS = served('SelectorReview', 'selectorreviews', [], false);

/** REMOTE_CLUSTER_CONFIGURATIONS names the RemoteClusterConfiguration CRD. */
export const REMOTE_CLUSTER_CONFIGURATIONS = config(
  'RemoteClusterConfiguration',
  'remoteclusterconfigurations',
  ['rcc'],
  false,
);
/** MESH_NETWORK_POLICIES names the MeshNetworkPolicy CRD. */
export const MESH_NETWORK_POLICIES = config('MeshNetworkPolicy', 'meshnetworkpolicies', ['mnp'], true);
/** MESH_CONFIGURATIONS names the MeshConfiguration CRD. */
export const MESH_CONFIGURATIONS = config('MeshConfiguration', 'meshconfigurations', [], false);
/** MESH_CONFIGURATION_NAME is the name of the MeshConfiguration singleton. */
export const MESH_CONFIGURATION_NAME = 'default';

/** crdName is the CustomResourceDefinition name of a resource: <plural>.<group>. */
export const crdName = (r: GroupVersionResource): string => `${r.plural}.${r.group}`;

/** CLUSTER_LABEL is the label every federated object carries with its source cluster. */
export const CLUSTER_LABEL = 'federated.mesh/cluster';
/** NAMESPACE_LABEL, SERVICE_ACCOUNT_LABEL and KIND_LABEL are identity labels selectors see. */
export const NAMESPACE_LABEL = 'federated.mesh/namespace';
export const SERVICE_ACCOUNT_LABEL = 'federated.mesh/serviceaccount';
export const KIND_LABEL = 'federated.mesh/kind';
/** CONSUMER_LABEL marks a remote reader created for one consuming cluster. */
export const CONSUMER_LABEL = 'federated.mesh/consumer';

/** DNS_LABEL_MAX is the longest DNS label (RFC 1123). */
export const DNS_LABEL_MAX = 63;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** isDNSLabel tells whether s is an RFC 1123 DNS label (cluster names must be). */
export const isDNSLabel = (s: string): boolean => s.length <= DNS_LABEL_MAX && DNS_LABEL.test(s);

/** dnsLabelProblem says why s is not a DNS label, or undefined when it is one. */
export function dnsLabelProblem(s: string): string | undefined {
  if (s.length === 0) return 'must not be empty';
  if (s.length > DNS_LABEL_MAX) return `must be at most ${DNS_LABEL_MAX} characters (has ${s.length})`;
  if (!DNS_LABEL.test(s))
    return 'must be a DNS label: lower-case letters, digits and "-", starting and ending with a letter or digit';
  return undefined;
}

/** federatedName is the name of a federated object: <cluster>.<source name>. */
export const federatedName = (cluster: string, name: string): string => `${cluster}.${name}`;

const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;

/** derivedUID is a stable UID for a federated object, from its cluster and source UID. */
export function derivedUID(cluster: string, sourceUID: string): string {
  const data = `${cluster}/${sourceUID}`;
  // Every synced change derives its UID: crypto.hash (Node 20.12+) is one native call, half the
  // cost of a Hash object.
  const h = oneShot ? oneShot('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex');
  // Shaped like a version-5 UUID so tools that parse UIDs accept it.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** vtepMAC derives a node's VXLAN tunnel MAC from cluster and node name (locally administered, unicast). */
export function vtepMAC(cluster: string, node: string): string {
  const h = createHash('sha256').update(`${cluster}/${node}`).digest();
  const b = [(h[0]! & 0xfc) | 0x02, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** FEDERATED_IP_SETS: IP sets of the selectors of active MeshNetworkPolicy rules, by unique ID. */
export const FEDERATED_IP_SETS = served('FederatedIPSet', 'federatedipsets', ['fips'], false);

/** ipSetName names the IP set of a selector from its unique ID ("s:" + base64url SHA-224): a DNS
 * label (lower-case hex of the first 120 bits), short enough for an nftables set name with a suffix. */
export function ipSetName(uniqueID: string): string {
  const raw = Buffer.from(uniqueID.replace(/^s:/, ''), 'base64url');
  return `fips-${raw.subarray(0, 15).toString('hex')}`;
}
/** FEDERATED_IP_SET_SLICES: the members of a FederatedIPSet, at most 256 per slice. */
export const FEDERATED_IP_SET_SLICES = served('FederatedIPSetSlice', 'federatedipsetslices', [], false);

// Federated services: the annotations that make a Service federated and the labels of the
// EndpointSlices fedmesh writes.
/** SERVICE_SELECTOR_ANNOTATION makes a Service without spec.selector a federated service. */
export const SERVICE_SELECTOR_ANNOTATION = 'federated.mesh/service-selector';
/** CALICO_SELECTOR_ANNOTATION is Calico's federated-service annotation, accepted too. */
export const CALICO_SELECTOR_ANNOTATION = 'federation.tigera.io/serviceSelector';
/** SERVICE_NAME_LABEL names an EndpointSlice's Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** MANAGED_BY_LABEL names an EndpointSlice's controller. */
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
/** MANAGED_BY is the managed-by value of the EndpointSlices fedmesh writes. */
export const MANAGED_BY = 'federated.mesh';
/** SOURCE_CLUSTER_LABEL names the cluster an EndpointSlice's endpoints come from (MCS convention). */
export const SOURCE_CLUSTER_LABEL = 'multicluster.kubernetes.io/source-cluster';
/** MCS_SERVICE_LABEL names the exported Service on a derived Service's slices (MCS convention). */
export const MCS_SERVICE_LABEL = 'multicluster.kubernetes.io/service-name';
/** STALE_ANNOTATION marks an owned slice whose source cluster is disconnected (endpoints kept). */
export const STALE_ANNOTATION = 'federated.mesh/source-stale';
