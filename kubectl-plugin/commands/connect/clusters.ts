// clusters.ts: what connect reads about a cluster: its mesh name, its pod and service CIDRs, how
// to reach its API server, and whether fedmesh is installed in it.
import { readFileSync } from 'node:fs';
import {
  ApiextensionsV1Api,
  ApiregistrationV1Api,
  CoreV1Api,
  NetworkingV1Api,
  type KubeConfig,
} from '@kubernetes/client-node';
import { APISERVICE_NAME, crdName, REMOTE_CLUSTER_CONFIGURATIONS } from '../../../api/index.js';
import { getLocalClusterName, isNotFound, statusError, type Kube } from '../../kube/index.js';
import type { Endpoint } from './objects.js';

/** APISERVICE is fedmesh's APIService. */
export const APISERVICE = APISERVICE_NAME;
/** RCC_CRD is the RemoteClusterConfiguration CRD. */
export const RCC_CRD = crdName(REMOTE_CLUSTER_CONFIGURATIONS);

/** meshName is the cluster's own name: MeshConfiguration default spec.clusterName, else the context name. */
export async function meshName(k: Kube): Promise<string> {
  // Not installed, not readable or not set: the context name is the conventional default.
  const name = await getLocalClusterName(k.kc).catch(() => undefined);
  return name || k.context;
}

/** podCIDRs returns the pod CIDRs of the cluster's nodes (spec.podCIDRs), deduplicated. */
export async function podCIDRs(kc: KubeConfig): Promise<string[]> {
  try {
    const nodes = await kc.makeApiClient(CoreV1Api).listNode();
    const all = nodes.items.flatMap((n) => n.spec?.podCIDRs ?? (n.spec?.podCIDR ? [n.spec.podCIDR] : []));
    return [...new Set(all)].sort();
  } catch (err) {
    throw statusError(err, 'listing nodes for their pod CIDRs');
  }
}

/** serviceCIDRs returns the ServiceCIDR `kubernetes`, or the `kubernetes` Service IP as a hint. */
export async function serviceCIDRs(kc: KubeConfig): Promise<{ cidrs: string[]; hint: boolean }> {
  try {
    const sc = await kc.makeApiClient(NetworkingV1Api).readServiceCIDR({ name: 'kubernetes' });
    if (sc.spec?.cidrs?.length) return { cidrs: sc.spec.cidrs, hint: false };
  } catch (err) {
    if (!isNotFound(err)) throw statusError(err, 'reading ServiceCIDR kubernetes');
  }
  try {
    const svc = await kc
      .makeApiClient(CoreV1Api)
      .readNamespacedService({ name: 'kubernetes', namespace: 'default' });
    return { cidrs: svc.spec?.clusterIPs ?? (svc.spec?.clusterIP ? [svc.spec.clusterIP] : []), hint: true };
  } catch (err) {
    if (isNotFound(err)) return { cidrs: [], hint: true };
    throw statusError(err, 'reading Service default/kubernetes');
  }
}

/** endpointOf is how the kubeconfig reaches the current cluster (the CA embedded, never a path). */
export function endpointOf(kc: KubeConfig): Endpoint {
  const c = kc.getCurrentCluster();
  if (!c) throw new Error('the kubeconfig has no current cluster');
  const ep: Endpoint = { server: c.server };
  if (c.caData) ep.caData = c.caData;
  else if (c.caFile) ep.caData = readFileSync(c.caFile).toString('base64');
  if (c.skipTLSVerify) ep.skipTLSVerify = true;
  if (c.tlsServerName) ep.tlsServerName = c.tlsServerName;
  return ep;
}

/** fedmeshProblem says why fedmesh is not usable in the cluster, or undefined when it is. */
export async function fedmeshProblem(kc: KubeConfig): Promise<string | undefined> {
  try {
    await kc.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: RCC_CRD });
  } catch (err) {
    if (isNotFound(err)) return `CustomResourceDefinition ${RCC_CRD} not found`;
    throw statusError(err, `reading CustomResourceDefinition ${RCC_CRD}`);
  }
  try {
    const svc = await kc.makeApiClient(ApiregistrationV1Api).readAPIService({ name: APISERVICE });
    const c = svc.status?.conditions?.find((x) => x.type === 'Available');
    if (c?.status === 'True') return undefined;
    return `APIService ${APISERVICE} is not Available${c?.message ? `: ${c.message}` : ''}`;
  } catch (err) {
    if (isNotFound(err)) return `APIService ${APISERVICE} not found`;
    throw statusError(err, `reading APIService ${APISERVICE}`);
  }
}
