// status.ts: the FederatedService object of a federated Service (pure): what its annotation asks
// for, what the selector resolved to per cluster, and the Valid, Ready and Conflict conditions with
// reasons and messages a user can act on. lastTransitionTime is kept while a status is unchanged.
import {
  FEDERATED_SERVICES,
  GROUP_VERSION,
  derivedUID,
  type Condition,
  type FederatedService,
} from '../../../api/index.js';
import type { MeshService } from '../../mesh/kinds/compact.js';
import type { SlicePlan } from './slices.js';

/** Verdict is whether a Service with a federation annotation can be federated, and its effective selector. */
export type Verdict =
  | { valid: true; effective: string }
  | { valid: false; reason: 'SelectorAndSpecSelector' | 'InvalidSelector'; message: string };

/** Resolution is what the controller found for a valid federated Service. */
export interface Resolution {
  plan: SlicePlan;
  /** inSync is true when the cluster holds exactly the desired slices. */
  inSync: boolean;
  /** writeError is the last failed write, if any. */
  writeError?: string;
  stale: (cluster: string) => boolean;
}

type Pending = Omit<Condition, 'lastTransitionTime'>;

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function valid(v: Verdict): Pending {
  return v.valid
    ? { type: 'Valid', status: 'True', reason: 'Valid', message: `selects Services by ${v.effective}` }
    : { type: 'Valid', status: 'False', reason: v.reason, message: v.message };
}

function conflict(r: Resolution | undefined): Pending {
  const c = r?.plan.conflicts ?? [];
  if (c.length === 0)
    return {
      type: 'Conflict',
      status: 'False',
      reason: 'NoConflict',
      message: 'backing Services agree on every port',
    };
  const more = c.length > 3 ? ` (and ${c.length - 3} more)` : '';
  return {
    type: 'Conflict',
    status: 'True',
    reason: 'PortProtocolMismatch',
    message: `${c.slice(0, 3).join('; ')}${more}; those ports are left out`,
  };
}

function ready(svc: MeshService, v: Verdict, r: Resolution | undefined): Pending {
  const no = (reason: string, message: string): Pending => ({
    type: 'Ready',
    status: 'False',
    reason,
    message,
  });
  if (!v.valid || !r)
    return no('Invalid', 'fedmesh writes no endpoints for this Service: see the Valid condition');
  const { plan } = r;
  if (plan.clusters.length === 0)
    return no(
      'NoBackingServices',
      `no Service in namespace ${svc.namespace} of any cluster matches the selector`,
    );
  if (r.writeError) return no('WriteFailed', `writing EndpointSlices failed, retrying: ${r.writeError}`);
  if (!r.inSync) return no('Pending', `writing ${plan.slices.length} EndpointSlices`);
  const total = plan.clusters.reduce((n, c) => n + c.endpoints, 0);
  const readyN = plan.clusters.reduce((n, c) => n + c.ready, 0);
  if (readyN === 0) return no('NoReadyEndpoints', `none of the ${total} endpoints is ready`);
  return {
    type: 'Ready',
    status: 'True',
    reason: 'EndpointsWritten',
    message: `${readyN} of ${total} endpoints ready, from ${plan.clusters.length} clusters in ${plan.slices.length} EndpointSlices`,
  };
}

/** federatedService builds the served object; prev keeps lastTransitionTime of unchanged conditions. */
export function federatedService(
  svc: MeshService,
  v: Verdict,
  r: Resolution | undefined,
  prev: FederatedService | undefined,
  now: Date,
): FederatedService {
  const conditions = [valid(v), ready(svc, v, r), conflict(r)].map((c): Condition => {
    const old = prev?.status.conditions?.find((p) => p.type === c.type);
    return { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : iso(now) };
  });
  const clusters = (r?.plan.clusters ?? []).map((c) => ({
    cluster: c.cluster,
    services: c.services,
    endpoints: c.endpoints,
    readyEndpoints: c.ready,
    stale: r!.stale(c.cluster),
  }));
  return {
    apiVersion: GROUP_VERSION,
    kind: FEDERATED_SERVICES.kind,
    metadata: {
      name: svc.name,
      namespace: svc.namespace,
      uid: derivedUID(svc.cluster, svc.uid || `${svc.namespace}/${svc.name}`),
      ...(svc.created ? { creationTimestamp: svc.created } : {}),
      labels: { ...svc.labels },
    },
    spec: {
      selector: svc.federation?.selector ?? '',
      annotation: svc.federation?.annotation ?? '',
      effectiveSelector: v.valid ? v.effective : '',
      ports: svc.ports.map((p) => ({ name: p.name, protocol: p.protocol })),
    },
    status: {
      clusters,
      conditions,
      endpoints: clusters.reduce((n, c) => n + c.endpoints, 0),
      readyEndpoints: clusters.reduce((n, c) => n + c.readyEndpoints, 0),
      slices: r?.plan.slices.length ?? 0,
    },
  };
}
