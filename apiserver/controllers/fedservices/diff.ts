// diff.ts: which writes bring a federated Service's owned slices to the desired ones (pure), and
// whether a Service can be federated at all (the Verdict). Slices from a source cluster whose first
// sync is still under way are left exactly as they are.
import type { V1EndpointSlice } from '@kubernetes/client-node';
import type { Core } from '../../../core/index.js';
import { compactSlice } from '../../mesh/kinds/services.js';
import type { MeshService, MeshSlice } from '../../mesh/kinds/compact.js';
import type { Verdict } from './status.js';

/** SliceOp is one write: apply a slice, or delete one by name. */
export type SliceOp =
  { apply: V1EndpointSlice; key: string; want: string } | { delete: string; key: string; want: '-' };

/** compactJSON is the comparable form of a slice as the mesh store keeps it. */
export const compactJSON = (local: string, s: V1EndpointSlice): string =>
  JSON.stringify(compactSlice(local, s));

/**
 * diffSlices returns the writes that turn actual (the owned slices in the cluster) into desired;
 * inflight holds writes sent and not yet seen back (by namespace/name), which are not repeated.
 */
export function diffSlices(
  local: string,
  desired: readonly V1EndpointSlice[],
  actual: readonly MeshSlice[],
  pending: (cluster: string) => boolean,
  inflight: Map<string, string>,
): SliceOp[] {
  const ops: SliceOp[] = [];
  const have = new Map(actual.map((s) => [s.name, s]));
  const wanted = new Set<string>();
  for (const d of desired) {
    const name = d.metadata!.name!;
    const key = `${d.metadata!.namespace}/${name}`;
    wanted.add(name);
    const want = compactJSON(local, d);
    const cur = have.get(name);
    if (cur && JSON.stringify(cur) === want) {
      inflight.delete(key);
      continue;
    }
    if (inflight.get(key) !== want) ops.push({ apply: d, key, want });
  }
  for (const s of actual) {
    if (wanted.has(s.name) || pending(s.sourceCluster ?? '')) continue;
    const key = `${s.namespace}/${s.name}`;
    if (inflight.get(key) !== '-') ops.push({ delete: s.name, key, want: '-' });
  }
  for (const [key, want] of inflight)
    if (want === '-' && !actual.some((s) => `${s.namespace}/${s.name}` === key)) inflight.delete(key);
  return ops;
}

/** verdict says whether svc (with a federation annotation) can be federated, and its effective selector. */
export function verdict(core: Core, svc: MeshService): Verdict {
  const f = svc.federation!;
  if (svc.hasSelector)
    return {
      valid: false,
      reason: 'SelectorAndSpecSelector',
      message: `the Service has both the ${f.annotation} annotation and spec.selector; fedmesh federates only Services without spec.selector (remove one of them)`,
    };
  const info = core.inspect(f.selector);
  if (!info.valid)
    return {
      valid: false,
      reason: 'InvalidSelector',
      message: `annotation ${f.annotation}: ${info.error} at position ${info.position} of ${JSON.stringify(f.selector)}`,
    };
  const scoped = core.inspect(
    `projectcalico.org/namespace == ${JSON.stringify(svc.namespace)} && (${info.canonical})`,
  );
  if (!scoped.valid)
    return {
      valid: false,
      reason: 'InvalidSelector',
      message: `annotation ${f.annotation}: ${scoped.error}`,
    };
  return { valid: true, effective: scoped.canonical };
}
