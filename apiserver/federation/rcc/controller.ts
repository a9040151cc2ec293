// controller.ts: runs one syncer per cluster of the mesh: the local cluster, and one per
// RemoteClusterConfiguration (restarted alone when its RCC or Secret changes, removed with its
// endpoints when the RCC goes). A disconnected cluster's endpoints stay, marked stale, for a grace
// period, then go; its RCC status says so.
import { type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import type { Logger } from '../../log.js';
import type { MeshStore } from '../../mesh/meshstore.js';
import { classifyError, loadRemoteKubeConfig } from '../sync/errors.js';
import type { ClusterHealth, Problem } from './health.js';
import { desiredFrom, isProblem, type RCCObject } from './rcc.js';

/** SyncerView is what the controller knows of a cluster's sync: the syncer's state, or a configuration problem. */
export interface SyncerView {
  connected: boolean;
  synced: boolean;
  lastError?: Problem;
  lastSyncTime?: Date;
}

/** SyncerHandle is a running syncer. */
export interface SyncerHandle {
  synced: Promise<void>;
  stop(): Promise<void>;
}

/** SyncerFactory starts a syncer of cluster that reports its state through onState. */
export type SyncerFactory = (
  cluster: string,
  kc: KubeConfig,
  onState: (s: SyncerView) => void,
) => SyncerHandle;

/** ControllerOptions configure a FederationController. */
export interface ControllerOptions {
  mesh: MeshStore;
  log: Logger;
  startSyncer: SyncerFactory;
  /** How long a disconnected cluster's endpoints are kept (marked stale). */
  staleGraceMs: number;
  /** The only namespace access Secrets are read from (unset: any, for tests of the controller alone). */
  secretNamespace?: string;
  /** Renews token credentials: told of each usable access Secret, and of clusters that leave. */
  credentials?: {
    track(rcc: string, secret: V1Secret, kubeconfig: string, remote: KubeConfig): void;
    forget(rcc: string): void;
  };
  /** Called whenever a remote cluster's health changes (status writer, metrics). */
  onHealth: (rccName: string, h: ClusterHealth) => void;
  now?: () => Date;
}

interface Run {
  hash?: string;
  kc?: KubeConfig;
  syncer?: SyncerHandle;
  view: SyncerView;
  configError?: Problem;
  everConnected: boolean;
  disconnectedSince?: Date;
  removeAt?: Date;
  removeTimer?: NodeJS.Timeout;
}

/** FederationController reconciles cluster syncers with the desired configuration. */
export class FederationController {
  readonly #runs = new Map<string, Run>();
  #stopped = false;

  constructor(private readonly o: ControllerOptions) {}

  /** addLocal starts the local cluster's syncer (no RCC, never removed). */
  addLocal(cluster: string, kc: KubeConfig): SyncerHandle {
    const run = this.#newRun();
    this.#runs.set(cluster, run);
    run.syncer = this.#start(cluster, kc, run, false);
    return run.syncer;
  }

  /** reconcile brings the syncer of an RCC in line with the RCC and its Secret (undefined: deleted). */
  async reconcile(
    name: string,
    rcc: RCCObject | undefined,
    secret: Parameters<typeof desiredFrom>[1],
  ): Promise<void> {
    if (this.#stopped) return;
    const run = this.#runs.get(name);
    if (!rcc) {
      if (run) await this.#remove(name, run);
      return;
    }
    const desired = desiredFrom(rcc, secret, this.o.secretNamespace);
    const hash = isProblem(desired) ? `problem:${desired.reason}:${desired.message}` : desired.hash;
    if (run && run.hash === hash) return;
    const r = run ?? this.#newRun();
    this.#runs.set(name, r);
    r.hash = hash;
    await r.syncer?.stop();
    r.syncer = undefined;
    r.configError = undefined;
    this.o.credentials?.forget(name);
    if (isProblem(desired)) return this.#fail(name, r, desired);
    let kc: KubeConfig;
    try {
      kc = loadRemoteKubeConfig(desired.kubeconfig);
    } catch (err) {
      return this.#fail(name, r, classifyError(err));
    }
    this.o.log.info('starting cluster sync', { cluster: name });
    if (secret) this.o.credentials?.track(name, secret, desired.kubeconfig, kc);
    r.kc = kc;
    r.syncer = this.#start(name, kc, r, true);
  }

  #newRun(): Run {
    return { view: { connected: false, synced: false }, everConnected: false };
  }

  #fail(name: string, r: Run, p: Problem): void {
    this.o.log.warn('remote cluster configuration unusable', {
      cluster: name,
      reason: p.reason,
      message: p.message,
    });
    r.configError = p;
    r.view = { connected: false, synced: r.view.synced, lastError: p };
    this.#onDisconnected(name, r);
    this.#publish(name, r);
  }

  #start(cluster: string, kc: KubeConfig, r: Run, remote: boolean): SyncerHandle {
    const epoch = this.o.mesh.newEpoch(cluster);
    const syncer = this.o.startSyncer(cluster, kc, (view) => {
      if (r.syncer !== syncer || this.#stopped) return;
      r.view = view;
      if (view.connected) this.#onConnected(cluster, r);
      else if (r.everConnected || r.view.synced) this.#onDisconnected(cluster, r);
      if (remote) this.#publish(cluster, r);
    });
    void syncer.synced.then(() => {
      if (r.syncer !== syncer) return;
      const swept = this.o.mesh.sweep(cluster, epoch);
      if (swept)
        this.o.log.info('removed endpoints that vanished while the syncer restarted', {
          cluster,
          count: swept,
        });
      if (remote) this.#publish(cluster, r);
    });
    return syncer;
  }

  #onConnected(cluster: string, r: Run): void {
    r.everConnected = true;
    if (!r.view.synced) return;
    clearTimeout(r.removeTimer);
    if (r.disconnectedSince) this.o.log.info('cluster reconnected; endpoints current again', { cluster });
    r.disconnectedSince = r.removeAt = r.removeTimer = undefined;
    this.o.mesh.setStale(cluster, false);
  }

  #onDisconnected(cluster: string, r: Run): void {
    if (r.disconnectedSince) return;
    const now = (this.o.now ?? (() => new Date()))();
    r.disconnectedSince = now;
    r.removeAt = new Date(now.getTime() + this.o.staleGraceMs);
    this.o.mesh.setStale(cluster, true);
    this.o.log.warn('cluster disconnected; keeping its endpoints marked stale', {
      cluster,
      removeAt: r.removeAt.toISOString(),
    });
    r.removeTimer = setTimeout(() => void this.#expire(cluster, r), this.o.staleGraceMs);
    r.removeTimer.unref();
  }

  async #expire(cluster: string, r: Run): Promise<void> {
    this.o.log.warn('stale grace period over; removing the cluster endpoints', { cluster });
    this.o.mesh.removeCluster(cluster);
    r.removeAt = undefined;
    // A fresh syncer delivers everything again when the cluster comes back.
    const old = r.syncer;
    if (old && r.kc && !r.configError) {
      r.syncer = undefined;
      await old.stop();
      r.view = {
        connected: false,
        synced: false,
        ...(r.view.lastError ? { lastError: r.view.lastError } : {}),
      };
      r.syncer = this.#start(cluster, r.kc, r, true);
    }
    this.#publish(cluster, r);
  }

  async #remove(name: string, r: Run): Promise<void> {
    clearTimeout(r.removeTimer);
    this.#runs.delete(name);
    this.o.credentials?.forget(name);
    await r.syncer?.stop();
    this.o.mesh.removeCluster(name);
    this.o.log.info('remote cluster configuration removed; its endpoints are gone', { cluster: name });
  }

  #publish(cluster: string, r: Run): void {
    const h: ClusterHealth = {
      connected: r.view.connected,
      synced: r.view.synced,
      stale: r.disconnectedSince !== undefined,
      counts: this.o.mesh.counts(cluster),
      conflicts: this.o.mesh.ipConflicts(cluster),
    };
    if (r.configError) h.configError = r.configError;
    if (r.view.lastError) h.lastError = r.view.lastError;
    if (r.disconnectedSince) h.disconnectedSince = r.disconnectedSince;
    if (r.removeAt) h.removeAt = r.removeAt;
    if (r.view.lastSyncTime) h.lastSyncTime = r.view.lastSyncTime;
    this.o.onHealth(cluster, h);
  }

  /** stop stops every syncer (endpoints stay in the store). */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const r of this.#runs.values()) clearTimeout(r.removeTimer);
    await Promise.all([...this.#runs.values()].map((r) => r.syncer?.stop() ?? Promise.resolve()));
  }
}
