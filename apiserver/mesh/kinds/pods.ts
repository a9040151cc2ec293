// pods.ts: pods of any cluster become FederatedEndpoints (namespace of the pod, <cluster>.<pod>).
import type { V1Pod } from '@kubernetes/client-node';
import {
  CLUSTER_LABEL,
  FEDERATED_ENDPOINTS,
  GROUP_VERSION,
  derivedUID,
  federatedName,
  type FederatedEndpoint,
} from '../../../api/index.js';
import { defineKind, isoTime, observedNow, type Observed } from './kind.js';

const podKey = (cluster: string, namespace: string | undefined, name: string): string =>
  `${namespace}/${federatedName(cluster, name)}`;

/** podToEndpoint converts a pod of cluster into a FederatedEndpoint. */
export function podToEndpoint(
  cluster: string,
  pod: V1Pod,
  prev: Observed | undefined,
  now: () => Date,
): FederatedEndpoint {
  const md = pod.metadata!;
  const ips = (pod.status?.podIPs ?? []).map((p) => p.ip).filter((ip): ip is string => !!ip);
  if (ips.length === 0 && pod.status?.podIP) ips.push(pod.status.podIP);
  const ports = (pod.spec?.containers ?? []).flatMap((c) =>
    (c.ports ?? [])
      .filter((p) => p.name)
      .map((p) => ({ name: p.name!, port: p.containerPort, protocol: p.protocol ?? 'TCP' })),
  );
  const ready = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  const obs = observedNow(md.resourceVersion ?? '', prev, now);
  return {
    apiVersion: GROUP_VERSION,
    kind: FEDERATED_ENDPOINTS.kind,
    metadata: {
      name: federatedName(cluster, md.name!),
      namespace: md.namespace!,
      uid: derivedUID(cluster, md.uid ?? md.name!),
      creationTimestamp: isoTime(md.creationTimestamp),
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

/** pods is the mesh kind of pods. */
export const pods = defineKind<V1Pod>({
  name: 'pods',
  path: '/api/v1/pods',
  plan: (cluster, changes, ctx) => ({
    endpoints: changes.map((c) => {
      if ('delete' in c) return { delete: podKey(cluster, c.delete.namespace, c.delete.name) };
      const md = c.upsert.metadata!;
      const prev = ctx.observed(
        'endpoints',
        podKey(cluster, md.namespace, md.name!),
        md.resourceVersion ?? '',
      );
      return { upsert: podToEndpoint(cluster, c.upsert, prev, () => ctx.now()) };
    }),
  }),
});
