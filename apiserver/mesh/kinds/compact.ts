// compact.ts: the compact forms in which the mesh store keeps Services and EndpointSlices of every
// cluster: only what federated services need (labels, the federation annotations, ports, whether a
// spec.selector is set; a slice's service, address type, ports and endpoints). Endpoint conditions
// are packed into one small integer, since a mesh holds many endpoints (the target is ≤ 1 KiB per endpoint).

export {
  CALICO_SELECTOR_ANNOTATION,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  MCS_SERVICE_LABEL,
  SERVICE_NAME_LABEL,
  SERVICE_SELECTOR_ANNOTATION,
  SOURCE_CLUSTER_LABEL,
  STALE_ANNOTATION,
} from '../../../api/index.js';

/** ServicePort is a Service port as federation matches it: by name and protocol. */
export interface ServicePort {
  name: string;
  protocol: string;
  port: number;
  /** appProtocol is the port's application protocol, when set (MCS compares it across exports). */
  appProtocol?: string;
}

/** MeshService is the compact form of a Service of any cluster. */
export interface MeshService {
  cluster: string;
  namespace: string;
  name: string;
  uid: string;
  created?: string;
  labels: Record<string, string>;
  /** federation is the selector annotation and which key carried it, when present. */
  federation?: { annotation: string; selector: string };
  /** hasSelector is true when spec.selector is non-empty. */
  hasSelector: boolean;
  type: string;
  ports: ServicePort[];
  /** clusterIP is spec.clusterIP when set ("None" for a headless Service). */
  clusterIP?: string;
  /** affinity is ClientIP session affinity with its timeout, when set (MCS conflicts). */
  affinity?: { timeoutSeconds?: number };
}

/** ExportCondition is a ServiceExport condition as the mesh keeps it. */
export interface ExportCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/** MeshExport is the compact form of a ServiceExport (Multi-Cluster Services) of any cluster. */
export interface MeshExport {
  cluster: string;
  namespace: string;
  name: string;
  uid: string;
  /** created orders exports: the oldest export wins a conflict. */
  created: string;
  resourceVersion: string;
  conditions: ExportCondition[];
}

/** SlicePort is an EndpointSlice port. */
export interface SlicePort {
  name: string;
  port: number;
  protocol: string;
  appProtocol?: string;
}

/** MeshEndpoint is one endpoint of a slice; c packs the conditions (see packConditions). */
export interface MeshEndpoint {
  addresses: string[];
  c: number;
  node?: string;
  zone?: string;
  /** zones are the zone hints (hints.forZones). */
  zones?: string[];
  /** target is targetRef.name; targetKind is kept only when it is not Pod. */
  target?: string;
  targetKind?: string;
}

/** MeshSlice is the compact form of an EndpointSlice of any cluster. */
export interface MeshSlice {
  cluster: string;
  namespace: string;
  name: string;
  /** service is the kubernetes.io/service-name label ('' when absent). */
  service: string;
  managedBy: string;
  addressType: string;
  ports: SlicePort[];
  endpoints: MeshEndpoint[];
  /** sourceCluster and stale are kept for slices fedmesh owns (to revert edits). */
  sourceCluster?: string;
  stale?: boolean;
  /** mcsService is the exported Service an owned slice of a derived Service (MCS) belongs to. */
  mcsService?: string;
}

/** Conditions are an endpoint's ready, serving and terminating conditions (absent: unknown). */
export interface Conditions {
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

const KEYS = ['ready', 'serving', 'terminating'] as const;

/** packConditions packs conditions two bits each: set, then value. */
export function packConditions(c: Conditions | undefined): number {
  let n = 0;
  KEYS.forEach((k, i) => {
    const v = c?.[k];
    if (v !== undefined && v !== null) n |= (1 | (v ? 2 : 0)) << (i * 2);
  });
  return n;
}

/** unpackConditions is the inverse of packConditions. */
export function unpackConditions(n: number): Conditions {
  const out: Conditions = {};
  KEYS.forEach((k, i) => {
    const b = (n >> (i * 2)) & 3;
    if (b & 1) out[k] = (b & 2) !== 0;
  });
  return out;
}

/** serviceKey names a Service of a cluster in the mesh store: cluster/namespace/name. */
export const serviceKey = (cluster: string, namespace: string, name: string): string =>
  `${cluster}/${namespace}/${name}`;
