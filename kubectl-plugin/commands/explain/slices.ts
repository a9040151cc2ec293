// slices.ts: the EndpointSlices fedmesh writes for a Service (federated or imported), grouped by
// the cluster their endpoints come from, as `kubectl mesh explain svc` shows them.
import { DiscoveryV1Api, type KubeConfig, type V1EndpointSlice } from '@kubernetes/client-node';
import {
  MANAGED_BY,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
  SOURCE_CLUSTER_LABEL,
  STALE_ANNOTATION,
} from '../../../api/index.js';
import { statusError } from '../../kube/status.js';

/** ClusterEndpoints are the endpoints fedmesh wrote for one source cluster. */
export interface ClusterEndpoints {
  cluster: string;
  services: string[];
  stale: boolean;
  endpoints: { address: string; ready: boolean; target?: string }[];
}

/** ownedSlices lists the EndpointSlices fedmesh writes for the Service namespace/name. */
export async function ownedSlices(
  kc: KubeConfig,
  namespace: string,
  name: string,
): Promise<V1EndpointSlice[]> {
  const r = await kc
    .makeApiClient(DiscoveryV1Api)
    .listNamespacedEndpointSlice({
      namespace,
      labelSelector: `${SERVICE_NAME_LABEL}=${name},${MANAGED_BY_LABEL}=${MANAGED_BY}`,
    })
    .catch((e: unknown) => {
      throw statusError(e, `listing the EndpointSlices of ${namespace}/${name}`);
    });
  return r.items;
}

/** endpointsByCluster adds the endpoints of slices to seed's clusters (or new ones), sorted by cluster. */
export function endpointsByCluster(seed: ClusterEndpoints[], slices: V1EndpointSlice[]): ClusterEndpoints[] {
  const clusters = new Map(seed.map((c) => [c.cluster, c]));
  for (const s of slices) {
    const cluster = s.metadata?.labels?.[SOURCE_CLUSTER_LABEL] ?? '?';
    const entry = clusters.get(cluster) ?? { cluster, services: [], stale: false, endpoints: [] };
    entry.stale ||= s.metadata?.annotations?.[STALE_ANNOTATION] === 'true';
    for (const e of s.endpoints ?? [])
      for (const address of e.addresses)
        entry.endpoints.push({
          address,
          ready: e.conditions?.ready !== false,
          ...(e.targetRef?.name && { target: e.targetRef.name }),
        });
    clusters.set(cluster, entry);
  }
  return [...clusters.values()].sort((a, b) => a.cluster.localeCompare(b.cluster));
}

/** renderClusters prints each cluster's endpoints. */
export function renderClusters(clusters: ClusterEndpoints[], what: string): string[] {
  const lines: string[] = [];
  for (const c of clusters) {
    const ready = c.endpoints.filter((e) => e.ready).length;
    lines.push(
      `Cluster ${c.cluster}${c.stale ? ' (disconnected: endpoints kept until the grace period ends)' : ''}: ${what} ${c.services.join(', ') || '<none>'}; ${c.endpoints.length} endpoints, ${ready} ready`,
    );
    for (const e of c.endpoints)
      lines.push(
        `  ${e.address}${e.target ? ` ${e.target}` : ''}${e.ready ? '' : ' (not ready: kube-proxy sends it no traffic)'}`,
      );
  }
  return lines;
}
