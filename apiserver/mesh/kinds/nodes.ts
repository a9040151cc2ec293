// nodes.ts: nodes of any cluster become FederatedHostEndpoints (<cluster>.<node>), with their pod
// CIDRs and VXLAN tunnel endpoint (address and deterministic MAC).
import type { V1Node } from '@kubernetes/client-node';
import {
  CLUSTER_LABEL,
  FEDERATED_HOST_ENDPOINTS,
  GROUP_VERSION,
  derivedUID,
  federatedName,
  vtepMAC,
  type FederatedHostEndpoint,
} from '../../../api/index.js';
import { defineKind, isoTime, observedNow, type Observed } from './kind.js';

/** nodeToHostEndpoint converts a node of cluster into a FederatedHostEndpoint. */
export function nodeToHostEndpoint(
  cluster: string,
  node: V1Node,
  prev: Observed | undefined,
  now: () => Date,
): FederatedHostEndpoint {
  const md = node.metadata!;
  const addresses = (node.status?.addresses ?? []).map((a) => ({ type: a.type, address: a.address }));
  const podCIDRs = node.spec?.podCIDRs ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : []);
  const internal = addresses.find((a) => a.type === 'InternalIP') ?? addresses[0];
  const ready = (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  const obs = observedNow(md.resourceVersion ?? '', prev, now);
  return {
    apiVersion: GROUP_VERSION,
    kind: FEDERATED_HOST_ENDPOINTS.kind,
    metadata: {
      name: federatedName(cluster, md.name!),
      uid: derivedUID(cluster, md.uid ?? md.name!),
      creationTimestamp: isoTime(md.creationTimestamp),
      labels: { ...md.labels, [CLUSTER_LABEL]: cluster },
    },
    spec: {
      cluster,
      node: md.name!,
      addresses,
      podCIDRs,
      tunnel: { address: internal?.address ?? '', mac: vtepMAC(cluster, md.name!) },
    },
    status: { ready, stale: false, observedResourceVersion: obs.resourceVersion, observedTime: obs.time },
  };
}

/** nodes is the mesh kind of nodes. */
export const nodes = defineKind<V1Node>({
  name: 'nodes',
  path: '/api/v1/nodes',
  plan: (cluster, changes, ctx) => ({
    hosts: changes.map((c) => {
      if ('delete' in c) return { delete: federatedName(cluster, c.delete.name) };
      const md = c.upsert.metadata!;
      const prev = ctx.observed('hosts', federatedName(cluster, md.name!), md.resourceVersion ?? '');
      return { upsert: nodeToHostEndpoint(cluster, c.upsert, prev, () => ctx.now()) };
    }),
  }),
});
