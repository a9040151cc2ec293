// rows.ts: the status of the mesh as rows, one per cluster (local first, then remotes by name),
// built from MeshConfiguration, the APIService and RemoteClusterConfiguration status.
import type { V1APIService } from '@kubernetes/client-node';
import type { Column } from '../../cli/printer.js';
import { MESH, condition, type RCC } from '../../kube/index.js';

/** ClusterRow is one cluster's line of `kubectl mesh status`. */
export interface ClusterRow {
  cluster: string;
  role: 'local' | 'remote';
  connected: string;
  synced: string;
  stale: string;
  workloads?: number;
  hosts?: number;
  /** overlay is, for a remote cluster, how many of its nodes every reporting local node programmed. */
  overlay?: number;
  lastSyncTime?: string;
  lastError?: string;
}

/** APIServiceState is the header line's data: is the federated.mesh API served. */
export interface APIServiceState {
  name: string;
  available: boolean;
  reason?: string;
  message?: string;
}

/** apiServiceState summarises the APIService (absent: not installed). */
export function apiServiceState(svc: V1APIService | undefined): APIServiceState {
  if (!svc) return { name: MESH.apiService, available: false, reason: 'NotFound', message: 'not installed' };
  const c = condition(svc.status?.conditions, 'Available');
  return { name: MESH.apiService, available: c?.status === 'True', reason: c?.reason, message: c?.message };
}

/** remoteRow summarises one RemoteClusterConfiguration. */
export function remoteRow(rcc: RCC): ClusterRow {
  const conds = rcc.status?.conditions;
  const status = (t: string): string => condition(conds, t)?.status ?? 'Unknown';
  const failing = ['Connected', 'Synced']
    .map((t) => condition(conds, t))
    .find((c) => c !== undefined && c.status !== 'True');
  const staleCond = condition(conds, 'Stale');
  const err = failing ?? (staleCond?.status === 'True' ? staleCond : undefined);
  return {
    cluster: rcc.metadata.name,
    role: 'remote',
    connected: status('Connected'),
    synced: status('Synced'),
    stale: status('Stale') === 'Unknown' ? 'False' : status('Stale'),
    workloads: rcc.status?.endpoints?.workloads,
    hosts: rcc.status?.endpoints?.hosts,
    lastSyncTime: rcc.status?.lastSyncTime,
    lastError: err ? `${err.reason ?? 'Unknown'}: ${err.message ?? ''}` : undefined,
  };
}

/** localRow is the local cluster: served when the APIService is Available. */
export function localRow(
  name: string | undefined,
  api: APIServiceState,
  counts?: { workloads: number; hosts: number },
): ClusterRow {
  return {
    cluster: name ?? '<unnamed>',
    role: 'local',
    connected: api.available ? 'True' : 'False',
    synced: api.available ? 'True' : 'False',
    stale: 'False',
    workloads: counts?.workloads,
    hosts: counts?.hosts,
    lastError: api.available ? undefined : `${api.reason ?? 'Unknown'}: ${api.message ?? ''}`,
  };
}

/** age renders a time kubectl style: 45s, 12m, 3h, 5d. */
export function age(iso: string | undefined, now = Date.now()): string | undefined {
  if (!iso) return undefined;
  const s = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

const TRUNCATE = 60;

/** columns are the status table's columns; LAST ERROR is truncated unless wide. */
export function columns(wide: boolean, now = Date.now()): Column<ClusterRow>[] {
  const cut = (s: string | undefined): string | undefined =>
    s === undefined || wide || s.length <= TRUNCATE ? s : s.slice(0, TRUNCATE - 3) + '...';
  return [
    { header: 'cluster', get: (r) => r.cluster },
    { header: 'role', get: (r) => r.role },
    { header: 'connected', get: (r) => r.connected },
    { header: 'synced', get: (r) => r.synced },
    { header: 'stale', get: (r) => r.stale },
    { header: 'workloads', get: (r) => r.workloads },
    { header: 'hosts', get: (r) => r.hosts },
    {
      header: 'overlay',
      get: (r) => (r.overlay === undefined ? undefined : `${r.overlay}/${r.hosts ?? '?'}`),
    },
    { header: 'last sync', get: (r) => age(r.lastSyncTime, now) },
    { header: 'last error', get: (r) => cut(r.lastError) },
  ];
}
