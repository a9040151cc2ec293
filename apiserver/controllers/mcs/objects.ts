// objects.ts: the objects the MCS controller writes (pure): an export's Valid, Ready and Conflict
// conditions, the ServiceImport of a merged export, and its derived Service, a selectorless
// ClusterIP Service named as upstream names it (derived-<hash>) that kube-proxy programs from the
// per-cluster EndpointSlices; and whether what a cluster holds already matches.
import type { V1Service } from '@kubernetes/client-node';
import {
  DERIVED_SERVICE_ANNOTATION,
  MCS_GROUP_VERSION,
  MCS_SERVICE_NAME_LABEL,
  SERVICE_IMPORTS,
  type ServiceImport,
} from '../../../api/index.js';
import type { ExportCondition, MeshService } from '../../mesh/kinds/compact.js';
import type { Merged, Validity } from './merge.js';

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

type Pending = Omit<ExportCondition, 'lastTransitionTime'>;

function conflictCondition(m: Merged | undefined): Pending {
  if (!m?.conflict)
    return {
      type: 'Conflict',
      status: 'False',
      reason: 'NoConflicts',
      message: m ? `the exports of clusters ${m.clusters.join(', ')} agree` : 'nothing to compare',
    };
  return {
    type: 'Conflict',
    status: 'True',
    reason: m.conflict.reasons.join(','),
    message: m.conflict.message,
  };
}

/** exportConditions are an export's Valid, Ready and Conflict conditions; prev keeps the
 * lastTransitionTime of conditions whose status did not change. */
export function exportConditions(
  v: Validity,
  m: Merged | undefined,
  prev: readonly ExportCondition[],
  now: Date,
): ExportCondition[] {
  const valid: Pending = v.valid
    ? { type: 'Valid', status: 'True', reason: 'Valid', message: 'the Service can be exported' }
    : { type: 'Valid', status: 'False', reason: v.reason, message: v.message };
  const ready: Pending =
    v.valid && m
      ? {
          type: 'Ready',
          status: 'True',
          reason: 'Ready',
          message: `exported to every cluster of the mesh that runs fedmesh, as ${m.type} from clusters ${m.clusters.join(', ')}`,
        }
      : {
          type: 'Ready',
          status: 'False',
          reason: 'Failed',
          message: 'not exported: see the Valid condition',
        };
  return [valid, ready, v.valid ? conflictCondition(m) : conflictCondition(undefined)].map((c) => {
    const old = prev.find((p) => p.type === c.type);
    return { ...c, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : iso(now) };
  });
}

/** sameConditions compares conditions without their transition times. */
export function sameConditions(a: readonly ExportCondition[], b: readonly ExportCondition[]): boolean {
  const strip = (l: readonly ExportCondition[]): string =>
    JSON.stringify(
      [...l].map((c) => [c.type, c.status, c.reason, c.message]).sort((x, y) => (x[0]! < y[0]! ? -1 : 1)),
    );
  return strip(a) === strip(b);
}

const affinityConfig = (m: Merged): ServiceImport['spec']['sessionAffinityConfig'] | undefined =>
  m.sessionAffinity === 'ClientIP' && m.timeoutSeconds !== undefined
    ? { clientIP: { timeoutSeconds: m.timeoutSeconds } }
    : undefined;

/** serviceImport is the ServiceImport of a merged export; ip is its derived Service's ClusterIP. */
export function serviceImport(
  namespace: string,
  name: string,
  derived: string,
  m: Merged,
  ip: string | undefined,
): ServiceImport {
  const cfg = affinityConfig(m);
  return {
    apiVersion: MCS_GROUP_VERSION,
    kind: SERVICE_IMPORTS.kind,
    metadata: { name, namespace, annotations: { [DERIVED_SERVICE_ANNOTATION]: derived } },
    spec: {
      type: m.type,
      ports: m.ports,
      ...(m.type === 'ClusterSetIP' && ip ? { ips: [ip] } : {}),
      sessionAffinity: m.sessionAffinity,
      ...(cfg ? { sessionAffinityConfig: cfg } : {}),
    },
    status: { clusters: m.clusters.map((cluster) => ({ cluster })) },
  };
}

/** importMatches says whether a cluster's ServiceImport has the spec and annotation of want. */
export function importMatches(cur: ServiceImport, want: ServiceImport): boolean {
  const ann = cur.metadata.annotations?.[DERIVED_SERVICE_ANNOTATION];
  const norm = (s: ServiceImport['spec']): string =>
    JSON.stringify({
      type: s.type,
      ports: (s.ports ?? []).map((p) => [p.name ?? '', p.protocol ?? 'TCP', p.port, p.appProtocol ?? '']),
      ips: s.ips ?? [],
      sa: s.sessionAffinity ?? 'None',
      t: s.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? null,
    });
  return (
    ann === want.metadata.annotations?.[DERIVED_SERVICE_ANNOTATION] && norm(cur.spec) === norm(want.spec)
  );
}

/** importStatusMatches says whether a ServiceImport lists the clusters of want. */
export const importStatusMatches = (cur: ServiceImport, want: ServiceImport): boolean =>
  JSON.stringify(cur.status?.clusters?.map((c) => c.cluster) ?? []) ===
  JSON.stringify(want.status?.clusters?.map((c) => c.cluster) ?? []);

/** derivedService is the Service kube-proxy programs for an import, owned by the ServiceImport. */
export function derivedService(
  imp: ServiceImport & { metadata: { uid: string } },
  derived: string,
): V1Service {
  const { namespace, name, uid } = imp.metadata;
  const cfg = imp.spec.sessionAffinityConfig;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: derived,
      namespace,
      labels: { [MCS_SERVICE_NAME_LABEL]: name },
      ownerReferences: [
        { apiVersion: MCS_GROUP_VERSION, kind: SERVICE_IMPORTS.kind, name, uid, controller: true },
      ],
    },
    spec: {
      type: 'ClusterIP',
      ...(imp.spec.type === 'Headless' ? { clusterIP: 'None' } : {}),
      ports: imp.spec.ports.map((p) => ({
        ...(p.name ? { name: p.name } : {}),
        protocol: p.protocol ?? 'TCP',
        ...(p.appProtocol ? { appProtocol: p.appProtocol } : {}),
        port: p.port,
      })),
      sessionAffinity: imp.spec.sessionAffinity ?? 'None',
      ...(cfg ? { sessionAffinityConfig: cfg } : {}),
    },
  };
}

/** derivedMatches says whether the derived Service a cluster holds is want (as the mesh keeps it);
 * recreate is true when only a new Service can fix it (a ClusterIP cannot become None). */
export function derivedMatches(cur: MeshService, want: V1Service): { same: boolean; recreate: boolean } {
  const headless = want.spec!.clusterIP === 'None';
  if ((cur.clusterIP === 'None') !== headless) return { same: false, recreate: true };
  const ports = (
    l: readonly { name?: string; protocol?: string; port: number; appProtocol?: string }[],
  ): string => JSON.stringify(l.map((p) => [p.name ?? '', p.protocol ?? 'TCP', p.port, p.appProtocol ?? '']));
  const affinity = want.spec!.sessionAffinity === 'ClientIP';
  const timeout = want.spec!.sessionAffinityConfig?.clientIP?.timeoutSeconds;
  const same =
    ports(cur.ports) === ports(want.spec!.ports ?? []) &&
    !!cur.affinity === affinity &&
    (!affinity || timeout === undefined || cur.affinity?.timeoutSeconds === timeout) &&
    cur.labels[MCS_SERVICE_NAME_LABEL] === want.metadata!.labels![MCS_SERVICE_NAME_LABEL];
  return { same, recreate: false };
}
