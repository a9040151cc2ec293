// services.ts: Services and EndpointSlices of any cluster, kept in compact form for federated
// services (kinds/compact.ts): a Service's labels, federation annotation, ports and whether it has
// a spec.selector; a slice's service, address type, ports and endpoints.
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import {
  CALICO_SELECTOR_ANNOTATION,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  MCS_SERVICE_LABEL,
  SERVICE_NAME_LABEL,
  SERVICE_SELECTOR_ANNOTATION,
  SOURCE_CLUSTER_LABEL,
  STALE_ANNOTATION,
  packConditions,
  serviceKey,
  type MeshEndpoint,
  type MeshService,
  type MeshSlice,
} from './compact.js';
import { defineKind, isoTime } from './kind.js';

/** federationOf returns the selector annotation of a Service (fedmesh's first, then Calico's). */
export function federationOf(
  annotations: Record<string, string> | undefined,
): MeshService['federation'] | undefined {
  for (const annotation of [SERVICE_SELECTOR_ANNOTATION, CALICO_SELECTOR_ANNOTATION]) {
    const selector = annotations?.[annotation];
    if (selector !== undefined) return { annotation, selector };
  }
  return undefined;
}

/** compactService converts a Service of cluster. */
export function compactService(cluster: string, s: V1Service): MeshService {
  const md = s.metadata!;
  const out: MeshService = {
    cluster,
    namespace: md.namespace!,
    name: md.name!,
    uid: md.uid ?? '',
    labels: { ...md.labels },
    hasSelector: Object.keys(s.spec?.selector ?? {}).length > 0,
    type: s.spec?.type ?? 'ClusterIP',
    ports: (s.spec?.ports ?? []).map((p) => ({
      name: p.name ?? '',
      protocol: p.protocol ?? 'TCP',
      port: p.port,
      ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
    })),
  };
  const created = isoTime(md.creationTimestamp);
  if (created) out.created = created;
  if (s.spec?.clusterIP) out.clusterIP = s.spec.clusterIP;
  if (s.spec?.sessionAffinity === 'ClientIP') {
    const t = s.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds;
    out.affinity = t === undefined ? {} : { timeoutSeconds: t };
  }
  const federation = federationOf(md.annotations);
  if (federation) out.federation = federation;
  return out;
}

function compactEndpoint(e: V1EndpointSlice['endpoints'][number]): MeshEndpoint {
  const out: MeshEndpoint = { addresses: [...e.addresses], c: packConditions(e.conditions) };
  if (e.nodeName) out.node = e.nodeName;
  if (e.zone) out.zone = e.zone;
  const zones = e.hints?.forZones?.map((z) => z.name);
  if (zones?.length) out.zones = zones;
  if (e.targetRef?.name) out.target = e.targetRef.name;
  if (e.targetRef?.kind && e.targetRef.kind !== 'Pod') out.targetKind = e.targetRef.kind;
  return out;
}

/** compactSlice converts an EndpointSlice of cluster. */
export function compactSlice(cluster: string, s: V1EndpointSlice): MeshSlice {
  const md = s.metadata!;
  const managedBy = md.labels?.[MANAGED_BY_LABEL] ?? '';
  const out: MeshSlice = {
    cluster,
    namespace: md.namespace!,
    name: md.name!,
    service: md.labels?.[SERVICE_NAME_LABEL] ?? '',
    managedBy,
    addressType: s.addressType,
    ports: (s.ports ?? []).map((p) => ({
      name: p.name ?? '',
      port: p.port ?? 0,
      protocol: p.protocol ?? 'TCP',
      ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
    })),
    endpoints: (s.endpoints ?? []).map(compactEndpoint),
  };
  if (managedBy === MANAGED_BY) {
    out.sourceCluster = md.labels?.[SOURCE_CLUSTER_LABEL] ?? '';
    out.stale = md.annotations?.[STALE_ANNOTATION] === 'true';
    const mcs = md.labels?.[MCS_SERVICE_LABEL];
    if (mcs) out.mcsService = mcs;
  }
  return out;
}

/** services is the mesh kind of Services. */
export const services = defineKind<V1Service>({
  name: 'services',
  path: '/api/v1/services',
  plan: (cluster, changes) => ({
    services: changes.map((c) =>
      'delete' in c
        ? { delete: serviceKey(cluster, c.delete.namespace!, c.delete.name) }
        : { upsert: compactService(cluster, c.upsert) },
    ),
  }),
});

/** endpointSlices is the mesh kind of EndpointSlices. */
export const endpointSlices = defineKind<V1EndpointSlice>({
  name: 'endpointslices',
  path: '/apis/discovery.k8s.io/v1/endpointslices',
  plan: (cluster, changes) => ({
    slices: changes.map((c) =>
      'delete' in c
        ? { delete: serviceKey(cluster, c.delete.namespace!, c.delete.name) }
        : { upsert: compactSlice(cluster, c.upsert) },
    ),
  }),
});
