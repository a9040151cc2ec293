// workloads.ts: diagnose's checks of what users ask the mesh for: MeshNetworkPolicies compile and
// every node enforces them from a complete view (FedmeshPolicyReady); federated Services and
// ServiceExports have no conflict. Each problem names the object and the next step.
import type { KubeConfig } from '@kubernetes/client-node';
import {
  FEDERATED_SERVICES,
  MCS_GROUP,
  MCS_VERSION,
  MESH_NETWORK_POLICIES,
  POLICY_CONDITION,
  SERVICE_EXPORTS,
  type Condition,
  type FederatedService,
  type MeshNetworkPolicy,
  type ServiceExport,
} from '../../../api/index.js';
import { isNotFound, request } from '../../kube/index.js';
import { fail, ok, warn, type Result } from './result.js';

async function items<T>(kc: KubeConfig, path: string): Promise<T[]> {
  try {
    return ((await request(kc, 'GET', path)).body as { items?: T[] }).items ?? [];
  } catch (err) {
    if (isNotFound(err)) return []; // the API is not installed: nothing to check
    throw err;
  }
}

const cond = (cs: readonly Condition[] | undefined, type: string): Condition | undefined =>
  cs?.find((c) => c.type === type);
const nsName = (m: { namespace?: string; name?: string }): string => `${m.namespace}/${m.name}`;

/** policyChecks: every MeshNetworkPolicy is Valid and every node enforces policy. */
export async function policyChecks(kc: KubeConfig): Promise<Result[]> {
  const r = MESH_NETWORK_POLICIES;
  const policies = await items<MeshNetworkPolicy>(kc, `/apis/${r.group}/${r.version}/${r.plural}`);
  const out: Result[] = [];
  for (const p of policies) {
    const v = cond(p.status?.conditions, 'Valid');
    if (v?.status === 'False')
      out.push(
        fail(
          `MeshNetworkPolicy ${nsName(p.metadata)} is not enforced: ${v.message}`,
          `kubectl edit meshnetworkpolicy ${p.metadata.name} -n ${p.metadata.namespace}`,
        ),
      );
  }
  const nodes = await items<{ metadata: { name: string }; status?: { conditions?: Condition[] } }>(
    kc,
    '/api/v1/nodes',
  );
  for (const n of nodes) {
    const c = cond(n.status?.conditions, POLICY_CONDITION);
    if (!c || c.status === 'True') continue;
    const logs = `kubectl -n fedmesh logs $(kubectl -n fedmesh get pod -l app.kubernetes.io/name=fedmesh-node --field-selector spec.nodeName=${n.metadata.name} -o name)`;
    if (c.reason === 'WaitingForSync')
      out.push(
        warn(
          `node ${n.metadata.name} keeps its policy rules while it waits: ${c.message}`,
          'kubectl mesh status (a remote cluster not synced?)',
        ),
      );
    else out.push(fail(`node ${n.metadata.name} cannot apply policy: ${c.message}`, logs));
  }
  if (out.length === 0 && policies.length > 0)
    out.push(ok(`${policies.length} MeshNetworkPolicies valid and enforced on every reporting node`));
  return out;
}

/** serviceChecks: federated Services are valid without conflicts, and so are this cluster's exports. */
export async function serviceChecks(kc: KubeConfig): Promise<Result[]> {
  const f = FEDERATED_SERVICES;
  const fsvcs = await items<FederatedService>(kc, `/apis/${f.group}/${f.version}/${f.plural}`);
  const exports = await items<ServiceExport>(
    kc,
    `/apis/${MCS_GROUP}/${MCS_VERSION}/${SERVICE_EXPORTS.plural}`,
  );
  const out: Result[] = [];
  for (const s of fsvcs) {
    const valid = cond(s.status?.conditions, 'Valid');
    const conflict = cond(s.status?.conditions, 'Conflict');
    const name = nsName(s.metadata);
    if (valid?.status === 'False')
      out.push(
        fail(
          `federated Service ${name} is not federated: ${valid.message}`,
          `kubectl mesh explain svc ${s.metadata.name} -n ${s.metadata.namespace}`,
        ),
      );
    else if (conflict?.status === 'True')
      out.push(
        warn(
          `federated Service ${name} leaves endpoints out: ${conflict.message}`,
          `kubectl mesh explain svc ${s.metadata.name} -n ${s.metadata.namespace}`,
        ),
      );
  }
  for (const e of exports) {
    const valid = cond(e.status?.conditions, 'Valid');
    const conflict = cond(e.status?.conditions, 'Conflict');
    const name = nsName(e.metadata);
    const fix = `kubectl get serviceexport ${e.metadata.name} -n ${e.metadata.namespace} -o yaml`;
    if (valid?.status === 'False')
      out.push(fail(`ServiceExport ${name} is not exported: ${valid.message}`, fix));
    else if (conflict?.status === 'True')
      out.push(warn(`ServiceExport ${name} conflicts: ${conflict.message}`, fix));
  }
  if (out.length === 0 && fsvcs.length + exports.length > 0)
    out.push(ok(`${fsvcs.length} federated Services and ${exports.length} ServiceExports without conflicts`));
  return out;
}
