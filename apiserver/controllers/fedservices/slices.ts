// slices.ts: the EndpointSlices a federated Service should have, computed from its backing Services
// and their slices (pure). Ports are matched by name and protocol; endpoints are grouped by source
// cluster, address family and port set, deduplicated, sorted and split at 100 per slice.
import type { V1EndpointSlice } from '@kubernetes/client-node';
import {
  MANAGED_BY,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
  SOURCE_CLUSTER_LABEL,
  STALE_ANNOTATION,
  unpackConditions,
  type MeshEndpoint,
  type MeshService,
  type MeshSlice,
  type SlicePort,
} from '../../mesh/kinds/compact.js';

/** MAX_ENDPOINTS_PER_SLICE is Kubernetes' default endpoints per EndpointSlice. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

/** Backing is one selected Service with its slices. */
export interface Backing {
  service: MeshService;
  slices: readonly MeshSlice[];
}

/** SourceCount is what one cluster contributes. */
export interface SourceCount {
  cluster: string;
  services: string[];
  endpoints: number;
  ready: number;
}

/** SlicePlan is the desired slices of a federated Service and what they hold per cluster. */
export interface SlicePlan {
  slices: V1EndpointSlice[];
  clusters: SourceCount[];
  conflicts: string[];
}

const portKey = (p: { name: string; protocol: string }): string => `${p.name}/${p.protocol}`;

/** matchPorts keeps the slice ports whose name and protocol the federated Service has, by name. */
export function matchPorts(
  fed: readonly { name: string; protocol: string }[],
  ports: readonly SlicePort[],
): SlicePort[] {
  const want = new Set(fed.map(portKey));
  return ports
    .filter((p) => want.has(portKey(p)))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** portConflicts says which ports of a backing Service have a federated port's name but another protocol. */
export function portConflicts(fed: MeshService, backing: MeshService): string[] {
  const out: string[] = [];
  for (const p of fed.ports) {
    const other = backing.ports.find((b) => b.name === p.name && b.protocol !== p.protocol);
    if (other)
      out.push(
        `port ${JSON.stringify(p.name)} is ${p.protocol} here but ${other.protocol} in Service ${backing.name} of cluster ${backing.cluster}`,
      );
  }
  return out;
}

/** sliceFamily names an address type in slice names. */
const family = (addressType: string): string => addressType.toLowerCase();

/** sliceName is the name of the n-th slice of a federated Service for a cluster and address family. */
export const sliceName = (service: string, cluster: string, addressType: string, n: number): string =>
  `${service}.${cluster}.${family(addressType)}.${n}`;

function toEndpoint(
  e: MeshEndpoint,
  cluster: string,
  local: string,
  namespace: string,
): V1EndpointSlice['endpoints'][number] {
  const out: V1EndpointSlice['endpoints'][number] = {
    addresses: [...e.addresses],
    conditions: unpackConditions(e.c),
  };
  if (e.node) out.nodeName = e.node;
  if (e.zone) out.zone = e.zone;
  if (e.zones) out.hints = { forZones: e.zones.map((name) => ({ name })) };
  if (e.target) {
    const name = cluster === local ? e.target : `${cluster}/${e.target}`;
    out.targetRef = { kind: e.targetKind ?? 'Pod', namespace, name };
  }
  return out;
}

interface Group {
  cluster: string;
  addressType: string;
  ports: SlicePort[];
  endpoints: Map<string, MeshEndpoint>;
}

function group(fed: MeshService, backing: readonly Backing[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const b of backing) {
    for (const s of b.slices) {
      if (s.managedBy === MANAGED_BY) continue; // never another federation's output
      const ports = matchPorts(fed.ports, s.ports);
      if (ports.length === 0) continue;
      const key = `${b.service.cluster}\u0000${s.addressType}\u0000${JSON.stringify(ports)}`;
      let g = groups.get(key);
      if (!g)
        groups.set(
          key,
          (g = { cluster: b.service.cluster, addressType: s.addressType, ports, endpoints: new Map() }),
        );
      for (const e of s.endpoints)
        if (!g.endpoints.has(e.addresses.join(','))) g.endpoints.set(e.addresses.join(','), e);
    }
  }
  return groups;
}

const isReady = (e: MeshEndpoint): boolean => unpackConditions(e.c).ready !== false;

/** planSlices computes the desired slices of fed (a Service of local) from its backing Services. */
export function planSlices(
  fed: MeshService,
  local: string,
  backing: readonly Backing[],
  stale: (cluster: string) => boolean,
): SlicePlan {
  const groups = [...group(fed, backing).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const counters = new Map<string, number>();
  const counts = new Map<string, SourceCount>();
  for (const b of backing) {
    const c = counts.get(b.service.cluster) ?? {
      cluster: b.service.cluster,
      services: [],
      endpoints: 0,
      ready: 0,
    };
    c.services.push(b.service.name);
    counts.set(b.service.cluster, c);
  }
  const slices: V1EndpointSlice[] = [];
  for (const [, g] of groups) {
    const eps = [...g.endpoints.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
    const c = counts.get(g.cluster)!;
    c.endpoints += eps.length;
    c.ready += eps.filter(isReady).length;
    for (let i = 0; i < eps.length; i += MAX_ENDPOINTS_PER_SLICE) {
      const fam = `${g.cluster}/${g.addressType}`;
      const n = counters.get(fam) ?? 0;
      counters.set(fam, n + 1);
      const chunk = eps
        .slice(i, i + MAX_ENDPOINTS_PER_SLICE)
        .map((e) => toEndpoint(e, g.cluster, local, fed.namespace));
      slices.push(
        sliceObject(fed, sliceName(fed.name, g.cluster, g.addressType, n), g, chunk, stale(g.cluster)),
      );
    }
  }
  const conflicts = backing.flatMap((b) => portConflicts(fed, b.service));
  const clusters = [...counts.values()].sort((a, b) => (a.cluster < b.cluster ? -1 : 1));
  for (const c of clusters) c.services.sort();
  return { slices, clusters, conflicts };
}

function sliceObject(
  fed: MeshService,
  name: string,
  g: Group,
  endpoints: V1EndpointSlice['endpoints'],
  stale: boolean,
): V1EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: fed.namespace,
      labels: {
        [SERVICE_NAME_LABEL]: fed.name,
        [MANAGED_BY_LABEL]: MANAGED_BY,
        [SOURCE_CLUSTER_LABEL]: g.cluster,
      },
      annotations: stale ? { [STALE_ANNOTATION]: 'true' } : {},
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'Service',
          name: fed.name,
          uid: fed.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    addressType: g.addressType,
    ports: g.ports.map((p) => ({
      name: p.name,
      port: p.port,
      protocol: p.protocol,
      ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
    })),
    endpoints,
  };
}
