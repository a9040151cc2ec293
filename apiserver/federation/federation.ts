// federation.ts: remote-cluster sync as one part of the server: the RCC controller, the watch of
// RemoteClusterConfigurations and their Secrets, and the syncers they run; health goes to onHealth.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import type { MeshStore } from '../mesh/meshstore.js';
import { ConfigWatcher } from './rcc/config-watcher.js';
import { FederationController, type SyncerHandle } from './rcc/controller.js';
import type { ClusterHealth } from './rcc/health.js';
import { syncKinds } from './rcc/kinds.js';
import { startSyncer } from './sync/syncer.js';

/** FederationDeps are what federation needs from the server. */
export interface FederationDeps {
  kubeConfig: KubeConfig;
  mesh: MeshStore;
  log: Logger;
  staleGracePeriodSeconds: number;
  onHealth: (cluster: string, h: ClusterHealth) => void;
}

/** Federation is remote-cluster sync, built and not started. */
export class Federation {
  readonly controller: FederationController;
  readonly #watcher: ConfigWatcher;

  constructor(private readonly d: FederationDeps) {
    this.controller = new FederationController({
      mesh: d.mesh,
      log: d.log,
      staleGraceMs: d.staleGracePeriodSeconds * 1000,
      startSyncer: (cluster, kubeConfig, onState) =>
        startSyncer({ cluster, kubeConfig, kinds: syncKinds(d.mesh, cluster), log: d.log, onState }),
      onHealth: d.onHealth,
    });
    this.#watcher = new ConfigWatcher(d.kubeConfig, this.controller, d.log);
  }

  /** start syncs the local cluster under its mesh name and starts watching RCCs. */
  start(localCluster: string): SyncerHandle {
    const local = this.controller.addLocal(localCluster, this.d.kubeConfig);
    void this.#watcher.start();
    return local;
  }

  /** stop ends every syncer and the watch (endpoints stay in the store). */
  async stop(): Promise<void> {
    await Promise.all([this.#watcher.stop(), this.controller.stop()]);
  }
}
