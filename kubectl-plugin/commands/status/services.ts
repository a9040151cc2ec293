// services.ts: the federated Services of the local cluster as `kubectl mesh status` shows them, from
// the FederatedService objects fedmesh-apiserver serves: per Service its clusters, endpoints and
// Ready/Conflict conditions, and the reason when it is not ready or is refused.
import type { KubeConfig } from '@kubernetes/client-node';
import type { FederatedService } from '../../../api/index.js';
import type { Column } from '../../cli/printer.js';
import { condition, request } from '../../kube/index.js';

/** ServiceRow is one federated Service's line in `kubectl mesh status`. */
export interface ServiceRow {
  namespace: string;
  name: string;
  selector: string;
  /** clusters are cluster:endpoints pairs, e.g. "a:1,b:2". */
  clusters: string;
  endpoints: string;
  ready: string;
  conflict: string;
  /** problem is the reason and message of the first condition that is not as it should be. */
  problem?: string;
}

/** serviceRow summarises one FederatedService. */
export function serviceRow(f: FederatedService): ServiceRow {
  const conds = f.status.conditions;
  const st = (t: string): string => condition(conds, t)?.status ?? 'Unknown';
  const bad = (conds ?? []).find((c) => (c.type === 'Conflict' ? c.status === 'True' : c.status !== 'True'));
  return {
    namespace: f.metadata.namespace ?? '',
    name: f.metadata.name,
    selector: f.spec.selector,
    clusters: (f.status.clusters ?? [])
      .map((c) => `${c.cluster}:${c.endpoints ?? 0}${c.stale ? '(stale)' : ''}`)
      .join(','),
    endpoints: `${f.status.readyEndpoints ?? 0}/${f.status.endpoints ?? 0}`,
    ready: st('Ready'),
    conflict: st('Conflict'),
    problem: bad ? `${bad.reason}: ${bad.message}` : undefined,
  };
}

/** listServiceRows reads every FederatedService (none when the API cannot be read). */
export async function listServiceRows(kc: KubeConfig): Promise<ServiceRow[]> {
  const r = await request(kc, 'GET', '/apis/federated.mesh/v1alpha1/federatedservices');
  return ((r.body as { items?: FederatedService[] }).items ?? []).map(serviceRow);
}

const cut = (s: string | undefined, n: number): string | undefined =>
  s && s.length > n ? `${s.slice(0, n - 3)}...` : s;

/** serviceColumns are the federated-services table's columns; wide shows the full problem. */
export function serviceColumns(wide: boolean): Column<ServiceRow>[] {
  return [
    { header: 'namespace', get: (r) => r.namespace },
    { header: 'service', get: (r) => r.name },
    { header: 'selector', get: (r) => r.selector },
    { header: 'clusters', get: (r) => r.clusters || '<none>' },
    { header: 'endpoints', get: (r) => r.endpoints },
    { header: 'ready', get: (r) => r.ready },
    { header: 'conflict', get: (r) => r.conflict },
    { header: 'problem', get: (r) => (wide ? r.problem : cut(r.problem, 60)) },
  ];
}
