// federation.ts: remote-cluster sync as one part of the server: the RCC controller, the watch of
// RemoteClusterConfigurations and their Secrets, and the syncers they run; health goes to onHealth.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import type { MeshStore } from '../mesh/meshstore.js';
import { ConfigWatcher } from './rcc/config-watcher.js';
import { FederationController, type ControllerOptions, type SyncerHandle } from './rcc/controller.js';
import type { ClusterHealth } from './rcc/health.js';
import { syncKinds } from './rcc/kinds.js';
import { startSyncer } from './sync/syncer.js';

/** FederationDeps are what federation needs from the server. */
export interface FederationDeps {
  kubeConfig: KubeConfig;
  mesh: MeshStore;
  log: Logger;
  staleGracePeriodSeconds: number;
  /** The namespace fedmesh-apiserver runs in: the only one whose Secrets it reads. */
  secretNamespace: string;
  credentials?: ControllerOptions['credentials'];
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
      secretNamespace: d.secretNamespace,
      ...(d.credentials ? { credentials: d.credentials } : {}),
      startSyncer: (cluster, kubeConfig, onState) =>
        startSyncer({ cluster, kubeConfig, kinds: syncKinds(d.mesh, cluster), log: d.log, onState }),
      onHealth: d.onHealth,
    });
    this.#watcher = new ConfigWatcher(d.kubeConfig, d.secretNamespace, this.controller, d.log);
  }

  /** start syncs the local cluster under its mesh name and starts watching RCCs. configured
   * resolves with the RCC names once they were listed; configListed settles then or when listing
   * failed, so every configured cluster's syncer has started. */
  start(localCluster: string): {
    local: SyncerHandle;
    configListed: Promise<void>;
    configured: Promise<string[]>;
  } {
    const local = this.controller.addLocal(localCluster, this.d.kubeConfig);
    const configured = this.#watcher.start().then(() => this.#watcher.names());
    const configListed = configured.then(
      () => undefined,
      () => undefined,
    );
    return { local, configListed, configured };
  }

  /** stop ends every syncer and the watch (endpoints stay in the store). */
  async stop(): Promise<void> {
    await Promise.all([this.#watcher.stop(), this.controller.stop()]);
  }
}
