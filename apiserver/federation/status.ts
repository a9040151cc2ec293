// status.ts: RemoteClusterConfiguration status: the Connected, Synced, Stale and IPConflict
// conditions with reasons and messages a user can act on, endpoint counts and last sync time;
// written by the leader only, at most once per interval per object, and only when it changed.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import type { IPConflict } from '../mesh/clusterbook.js';

/** Problem is a failure with a machine reason and a message for people. */
export interface Problem {
  reason: string;
  message: string;
}

/** ClusterHealth is everything the status of one remote cluster is built from. */
export interface ClusterHealth {
  configError?: Problem;
  connected: boolean;
  synced: boolean;
  lastError?: Problem;
  stale: boolean;
  disconnectedSince?: Date;
  removeAt?: Date;
  counts: { workloads: number; hosts: number };
  lastSyncTime?: Date;
  conflicts: IPConflict[];
}

/** Condition is a metav1.Condition. */
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function connected(h: ClusterHealth): Omit<Condition, 'lastTransitionTime'> {
  if (h.configError) return { type: 'Connected', status: 'False', ...h.configError };
  if (h.connected)
    return {
      type: 'Connected',
      status: 'True',
      reason: 'Connected',
      message: 'the remote kube-apiserver answers with the configured credential',
    };
  if (h.lastError) return { type: 'Connected', status: 'False', ...h.lastError };
  return {
    type: 'Connected',
    status: 'Unknown',
    reason: 'Connecting',
    message: 'connecting to the remote cluster',
  };
}

function synced(h: ClusterHealth): Omit<Condition, 'lastTransitionTime'> {
  const what = `${h.counts.workloads} workload endpoints and ${h.counts.hosts} host endpoints`;
  if (h.synced && h.connected)
    return {
      type: 'Synced',
      status: 'True',
      reason: 'Synced',
      message: `${what} synced; watching for changes`,
    };
  if (h.configError)
    return {
      type: 'Synced',
      status: 'False',
      reason: 'NotConnected',
      message: 'fix the Connected condition first',
    };
  if (h.synced)
    return {
      type: 'Synced',
      status: 'False',
      reason: 'WatchInterrupted',
      message: `${what} kept from the last sync; resyncing when the cluster is reachable`,
    };
  return { type: 'Synced', status: 'False', reason: 'Syncing', message: 'listing the remote cluster' };
}

function stale(h: ClusterHealth): Omit<Condition, 'lastTransitionTime'> {
  if (!h.stale)
    return { type: 'Stale', status: 'False', reason: 'Current', message: 'endpoints are current' };
  const since = h.disconnectedSince ? ` since ${iso(h.disconnectedSince)}` : '';
  const until = h.removeAt ? `; they are removed at ${iso(h.removeAt)} unless the cluster reconnects` : '';
  return {
    type: 'Stale',
    status: 'True',
    reason: 'Disconnected',
    message: `disconnected${since}: ${h.counts.workloads} workload and ${h.counts.hosts} host endpoints are kept with status.stale=true${until}`,
  };
}

function ipConflict(h: ClusterHealth): Omit<Condition, 'lastTransitionTime'> {
  if (h.conflicts.length === 0)
    return {
      type: 'IPConflict',
      status: 'False',
      reason: 'NoConflict',
      message: 'no pod IP of this cluster is used by another cluster',
    };
  const sample = h.conflicts
    .slice(0, 3)
    .map((c) => `${c.ip} (${c.endpoints.map((e) => `${e.cluster}:${e.key}`).join(', ')})`);
  return {
    type: 'IPConflict',
    status: 'True',
    reason: 'OverlappingPodIPs',
    message: `${h.conflicts.length}${h.conflicts.length >= 100 ? '+' : ''} pod IPs are claimed in more than one cluster, e.g. ${sample.join('; ')}; pod CIDRs of meshed clusters must not overlap`,
  };
}

/** statusFor builds the status object, keeping lastTransitionTime of unchanged conditions. */
export function statusFor(
  h: ClusterHealth,
  prev: Condition[] | undefined,
  generation: number | undefined,
  now: Date,
): Record<string, unknown> {
  const conditions = [connected(h), synced(h), stale(h), ipConflict(h)].map((c): Condition => {
    const old = prev?.find((p) => p.type === c.type);
    const lastTransitionTime = old && old.status === c.status ? old.lastTransitionTime : iso(now);
    return {
      ...c,
      lastTransitionTime,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
    };
  });
  const status: Record<string, unknown> = { conditions, endpoints: h.counts };
  if (h.lastSyncTime) status.lastSyncTime = iso(h.lastSyncTime);
  return status;
}

const RCC = { group: 'config.federated.mesh', version: 'v1alpha1', plural: 'remoteclusterconfigurations' };

/** StatusWriter writes RCC status when leader, rate-limited and coalesced per object. */
export class StatusWriter {
  readonly #api: CustomObjectsApi;
  readonly #pending = new Map<string, ClusterHealth>();
  readonly #written = new Map<string, string>();
  #timer?: NodeJS.Timeout;

  constructor(
    kc: KubeConfig,
    private readonly isLeader: () => boolean,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
  ) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
  }

  /** publish records the latest health of an RCC; it is written within intervalMs if leader. */
  publish(name: string, h: ClusterHealth): void {
    this.#pending.set(name, h);
    this.#timer ??= setTimeout(() => void this.#flush(), this.intervalMs).unref();
  }

  /** forget drops an RCC (deleted). */
  forget(name: string): void {
    this.#pending.delete(name);
    this.#written.delete(name);
  }

  /** stop cancels pending writes. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#pending.clear();
  }

  async #flush(): Promise<void> {
    this.#timer = undefined;
    if (!this.isLeader()) {
      if (this.#pending.size) this.#timer = setTimeout(() => void this.#flush(), this.intervalMs).unref();
      return;
    }
    const batch = [...this.#pending];
    this.#pending.clear();
    for (const [name, h] of batch)
      await this.#write(name, h).catch((err: unknown) => this.#retry(name, h, err));
  }

  #retry(name: string, h: ClusterHealth, err: unknown): void {
    if ((err as { code?: number }).code === 404) return;
    this.log.debug('writing RemoteClusterConfiguration status failed; retrying', {
      name,
      error: String((err as Error).message ?? err),
    });
    if (!this.#pending.has(name)) this.publish(name, h);
  }

  async #write(name: string, h: ClusterHealth): Promise<void> {
    const obj = (await this.#api.getClusterCustomObject({ ...RCC, name })) as {
      metadata: { generation?: number };
      status?: { conditions?: Condition[] };
    };
    const status = statusFor(h, obj.status?.conditions, obj.metadata.generation, new Date());
    const key = JSON.stringify(status);
    if (this.#written.get(name) === key && JSON.stringify(obj.status) === key) return;
    await this.#api.replaceClusterCustomObjectStatus({ ...RCC, name, body: { ...obj, status } });
    this.#written.set(name, key);
  }
}
