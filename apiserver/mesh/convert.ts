// convert.ts: source objects (pods, nodes) of any cluster become FederatedEndpoints and
// FederatedHostEndpoints. One converter per kind; the mesh store owns keys and events.
import { createHash } from 'node:crypto';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { GROUP_VERSION, type KObject } from '../types.js';

/** CLUSTER_LABEL is the label every federated object carries with its source cluster. */
export const CLUSTER_LABEL = 'federated.mesh/cluster';

/** federatedName is the name of a federated object: <cluster>.<source name>. */
export const federatedName = (cluster: string, name: string): string => `${cluster}.${name}`;

/** derivedUID is a stable UID for a federated object, from its cluster and source UID. */
export function derivedUID(cluster: string, sourceUID: string): string {
  const h = createHash('sha256').update(`${cluster}/${sourceUID}`).digest('hex');
  // Shaped like a version-5 UUID so tools that parse UIDs accept it.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const iso = (t: Date | string | undefined): string | undefined =>
  t === undefined ? undefined : typeof t === 'string' ? t : t.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Observed carries the time a source version was first seen, so a relist changes nothing. */
export interface Observed {
  resourceVersion: string;
  time: string;
}

function observed(rv: string, prev: Observed | undefined, now: () => Date): Observed {
  if (prev && prev.resourceVersion === rv) return prev;
  return { resourceVersion: rv, time: iso(now())! };
}

/** podToEndpoint converts a pod of cluster into a FederatedEndpoint. */
export function podToEndpoint(
  cluster: string,
  pod: V1Pod,
  prev: Observed | undefined,
  now: () => Date,
): KObject {
  const md = pod.metadata!;
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => !!ip);
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  const ports = (pod.spec?.containers ?? []).flatMap((c) =>
    (c.ports ?? [])
      .filter((p) => p.name)
      .map((p) => ({ name: p.name!, port: p.containerPort, protocol: p.protocol ?? 'TCP' })),
  );
  const ready = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  const obs = observed(md.resourceVersion ?? '', prev, now);
  return {
    apiVersion: GROUP_VERSION,
    kind: 'FederatedEndpoint',
    metadata: {
      name: federatedName(cluster, md.name!),
      namespace: md.namespace!,
      uid: derivedUID(cluster, md.uid ?? md.name!),
      creationTimestamp: iso(md.creationTimestamp),
      labels: { ...md.labels, [CLUSTER_LABEL]: cluster },
    },
    spec: {
      cluster,
      pod: md.name!,
      node: pod.spec?.nodeName ?? '',
      serviceAccount: pod.spec?.serviceAccountName ?? 'default',
      ips,
      ports,
      hostNetwork: pod.spec?.hostNetwork ?? false,
    },
    status: {
      phase: pod.status?.phase ?? 'Unknown',
      ready,
      stale: false,
      observedResourceVersion: obs.resourceVersion,
      observedTime: obs.time,
    },
  };
}

/** nodeToHostEndpoint converts a node of cluster into a FederatedHostEndpoint. */
export function nodeToHostEndpoint(
  cluster: string,
  node: V1Node,
  prev: Observed | undefined,
  now: () => Date,
): KObject {
  const md = node.metadata!;
  const addresses = (node.status?.addresses ?? []).map((a) => ({ type: a.type, address: a.address }));
  const podCIDRs = node.spec?.podCIDRs ?? (node.spec?.podCIDR ? [node.spec.podCIDR] : []);
  const internal = addresses.find((a) => a.type === 'InternalIP') ?? addresses[0];
  const ready = (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  const obs = observed(md.resourceVersion ?? '', prev, now);
  return {
    apiVersion: GROUP_VERSION,
    kind: 'FederatedHostEndpoint',
    metadata: {
      name: federatedName(cluster, md.name!),
      uid: derivedUID(cluster, md.uid ?? md.name!),
      creationTimestamp: iso(md.creationTimestamp),
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

/** vtepMAC derives a node's VXLAN tunnel MAC from cluster and node name (locally administered, unicast). */
export function vtepMAC(cluster: string, node: string): string {
  const h = createHash('sha256').update(`${cluster}/${node}`).digest();
  const b = [(h[0]! & 0xfc) | 0x02, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}
