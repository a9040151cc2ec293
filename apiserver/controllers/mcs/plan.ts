// plan.ts: the writes that bring one exported Service's import in the local cluster to what the
// exports of the mesh ask for (pure): status of the local cluster's exports, the ServiceImport,
// its derived Service, and the derived Service's EndpointSlices computed and diffed by the
// federated services machinery (slices.ts, diff.ts). Each step needs the previous one observed
// (the import's uid for the Service's owner reference, the Service for the slices' owner and the
// ClusterIP for spec.ips), so a plan holds only the writes that can be made now.
import type { V1Service } from '@kubernetes/client-node';
import { MCS_SERVICE_NAME_LABEL, derivedServiceName, type ServiceImport } from '../../../api/index.js';
import type { ExportCondition, MeshExport, MeshService, MeshSlice } from '../../mesh/kinds/compact.js';
import { diffSlices, type SliceOp } from '../fedservices/diff.js';
import { planSlices, type Backing } from '../fedservices/slices.js';
import { mergeExports, validity, type Exported, type Merged } from './merge.js';
import {
  derivedMatches,
  derivedService,
  exportConditions,
  importMatches,
  importStatusMatches,
  sameConditions,
  serviceImport,
} from './objects.js';

/** MCSOp is one write of the MCS controller; id names what it writes, want what it writes there. */
export type MCSOp = { id: string; want: string } & (
  | { kind: 'exportStatus'; export: MeshExport; conditions: ExportCondition[] }
  | { kind: 'applyImport' | 'importStatus'; obj: ServiceImport }
  | { kind: 'applyService'; obj: V1Service }
  | { kind: 'deleteService' | 'deleteImport'; namespace: string; name: string }
  | { kind: 'slice'; op: SliceOp }
);

/** PlanInput is what the controller observed of one exported Service (namespace/name). */
export interface PlanInput {
  local: string;
  namespace: string;
  name: string;
  /** exports are the exports of every cluster, with their Services. */
  exports: readonly Exported[];
  imported: ServiceImport | undefined;
  /** derived is the derived Service as the mesh holds it; slices are its owned slices. */
  derived: MeshService | undefined;
  slices: readonly MeshSlice[];
  backing: (clusters: readonly string[]) => Backing[];
  pending: (cluster: string) => boolean;
  stale: (cluster: string) => boolean;
  inflight: Map<string, string>;
  now: Date;
}

/** Plan is the writes to make now, and the merge they come from (none when nothing is exported). */
export interface Plan {
  ops: MCSOp[];
  merged?: Merged;
}

function exportStatusOps(i: PlanInput, merged: Merged | undefined): MCSOp[] {
  return i.exports
    .filter((e) => e.export.cluster === i.local)
    .flatMap((e): MCSOp[] => {
      const conditions = exportConditions(validity(e), merged, e.export.conditions, i.now);
      if (sameConditions(conditions, e.export.conditions)) return [];
      const id = `export:${i.namespace}/${i.name}`;
      const want = `${e.export.resourceVersion}:${JSON.stringify(conditions)}`;
      return [{ id, want, kind: 'exportStatus', export: e.export, conditions }];
    });
}

const sliceOps = (ops: SliceOp[]): MCSOp[] =>
  ops.map((op) => ({ id: `slice:${op.key}`, want: op.want, kind: 'slice', op }));

function withLabel(slices: ReturnType<typeof planSlices>['slices'], name: string): typeof slices {
  for (const s of slices) s.metadata!.labels = { ...s.metadata!.labels, [MCS_SERVICE_NAME_LABEL]: name };
  return slices;
}

function importOps(i: PlanInput, m: Merged, derivedName: string): MCSOp[] {
  const ip = i.derived?.clusterIP && i.derived.clusterIP !== 'None' ? i.derived.clusterIP : undefined;
  const want = serviceImport(i.namespace, i.name, derivedName, m, ip);
  const key = `${i.namespace}/${i.name}`;
  const ops: MCSOp[] = [];
  const cur = i.imported;
  if (!cur || !importMatches(cur, want))
    ops.push({ id: `import:${key}`, want: JSON.stringify(want.spec), kind: 'applyImport', obj: want });
  if (!cur || !importStatusMatches(cur, want))
    ops.push({
      id: `importStatus:${key}`,
      want: JSON.stringify(want.status),
      kind: 'importStatus',
      obj: want,
    });
  if (!cur?.metadata.uid) return ops;
  const svc = derivedService({ ...want, metadata: { ...want.metadata, uid: cur.metadata.uid } }, derivedName);
  const d = i.derived;
  const match = d ? derivedMatches(d, svc) : { same: false, recreate: false };
  if (d && match.recreate)
    return [
      ...ops,
      { id: `service:${key}`, want: '-', kind: 'deleteService', namespace: i.namespace, name: derivedName },
    ];
  if (!match.same)
    ops.push({ id: `service:${key}`, want: JSON.stringify(svc.spec), kind: 'applyService', obj: svc });
  if (!d) return ops;
  const plan = planSlices(d, i.local, i.backing(m.clusters), i.stale);
  const desired = withLabel(plan.slices, i.name);
  return [...ops, ...sliceOps(diffSlices(i.local, desired, i.slices, i.pending, i.inflight))];
}

// removalOps unexports: slices, derived Service and import go, unless a cluster it came from is on
// its first sync (what it exports is not known yet).
function removalOps(i: PlanInput, derivedName: string): MCSOp[] {
  const from = i.imported?.status?.clusters?.map((c) => c.cluster) ?? [];
  if (from.some(i.pending)) return [];
  const key = `${i.namespace}/${i.name}`;
  const ops = sliceOps(diffSlices(i.local, [], i.slices, i.pending, i.inflight));
  if (i.derived)
    ops.push({
      id: `service:${key}`,
      want: '-',
      kind: 'deleteService',
      namespace: i.namespace,
      name: derivedName,
    });
  if (i.imported)
    ops.push({ id: `import:${key}`, want: '-', kind: 'deleteImport', namespace: i.namespace, name: i.name });
  return ops;
}

/** planImport returns the writes that converge one exported Service's import in the local cluster. */
export function planImport(i: PlanInput): Plan {
  const valid = i.exports.filter((e) => validity(e).valid);
  const merged = valid.length ? mergeExports(valid) : undefined;
  const derivedName = derivedServiceName(i.namespace, i.name);
  const ops = [
    ...exportStatusOps(i, merged),
    ...(merged ? importOps(i, merged, derivedName) : removalOps(i, derivedName)),
  ];
  return merged ? { ops, merged } : { ops };
}
