// config.ts: the Config stage of fedmesh-apiserver: from completed options to every part the
// server is made of, built but not started (no request is sent and no port is opened here).
import type { KubeConfig } from '@kubernetes/client-node';
import { Core } from '../core/index.js';
import { PooledKubeConfig } from './kubeconfig.js';
import { jsonLogger, type Logger } from './log.js';
import { MeshStore } from './mesh/meshstore.js';
import { Metrics } from './metrics.js';
import type { CompletedOptions } from './options.js';
import { servedResources } from './resources/registry.js';
import type { Resource } from './rest/resource.js';

/** Config is everything fedmesh-apiserver is built from. */
export interface Config {
  options: CompletedOptions;
  log: Logger;
  /** kubeConfig reaches the local cluster. */
  kubeConfig: KubeConfig;
  core: Core;
  mesh: MeshStore;
  metrics: Metrics;
  /** resources are the served resources by plural name, in discovery order. */
  resources: Map<string, Resource>;
  now: () => Date;
}

function loadKubeConfig(o: CompletedOptions): KubeConfig {
  const kc = new PooledKubeConfig(); // every request to the local cluster reuses connections
  if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
  else kc.loadFromCluster();
  return kc;
}

/** newConfig builds the Config of completed options. */
export function newConfig(options: CompletedOptions, log: Logger = jsonLogger(options.logLevel)): Config {
  const now = (): Date => new Date();
  const core = Core.load();
  const mesh = new MeshStore(core, { now, historySize: options.watchHistory, log });
  const resources = servedResources(core, mesh);
  const stores = {
    federatedendpoints: mesh.endpoints,
    federatedhostendpoints: mesh.hosts,
    federatedservices: mesh.federatedServices,
    federatedipsets: mesh.ipSets,
    federatedipsetslices: mesh.ipSetSlices,
  };
  const metrics = new Metrics(stores, [...resources.keys()]);
  metrics.core(() => core.stats());
  mesh.onCluster((e) => {
    if (e.type === 'removed') metrics.clusterHealth(e.cluster, undefined);
  });
  return {
    options,
    log,
    kubeConfig: loadKubeConfig(options),
    core,
    mesh,
    metrics,
    resources,
    now,
  };
}
