// app.ts: builds fedmesh-apiserver from completed options and runs it: the mesh store fed by the
// local cluster, the served resources, authentication and authorization delegated to the cluster,
// and the HTTPS server. Used by main.ts and, in-process, by tests and benchmarks.
import {
  AuthenticationV1Api,
  AuthorizationV1Api,
  CustomObjectsApi,
  KubeConfig,
} from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import { hostname } from 'node:os';
import type { Socket } from 'node:net';
import { Core, SelectorError } from '../core/index.js';
import { AuthConfigWatcher } from './auth/authconfig.js';
import { DelegatingAuthenticator } from './auth/authn.js';
import { SubjectAccessReviewAuthorizer } from './auth/authz.js';
import { TokenReviewAuthenticator } from './auth/tokenreview.js';
import { Discovery } from './discovery.js';
import { jsonLogger, type Logger } from './log.js';
import { ConfigWatcher } from './federation/config-watcher.js';
import { FederationController } from './federation/controller.js';
import { LeaderElector } from './federation/lease.js';
import { StatusWriter } from './federation/status.js';
import { coreKinds, startSyncer } from './federation/syncer.js';
import { MeshStore } from './mesh/meshstore.js';
import { Metrics } from './metrics.js';
import { openapiRouter } from './openapi/router.js';
import type { CompletedOptions } from './options.js';
import { servedResources } from './resources/registry.js';
import type { SelectorCompiler } from './rest/filter.js';
import { verbsOf } from './rest/resource.js';
import { buildApp } from './server.js';
import { badRequest } from './status.js';

/** RunningServer is a started fedmesh-apiserver. */
export interface RunningServer {
  port: number;
  mesh: MeshStore;
  /** synced resolves when the local cluster has been listed once. */
  synced: Promise<void>;
  /** stop ends watches, closes the listener and stops syncing. */
  stop(): Promise<void>;
}

function selectorCompiler(core: Core): SelectorCompiler {
  return (calico) => {
    try {
      const s = core.parse(calico);
      return { matches: (labels) => s.matches(labels), dispose: () => s.dispose() };
    } catch (e) {
      if (e instanceof SelectorError) throw badRequest(`invalid label selector: ${e.reason}`);
      throw e;
    }
  };
}

function loadKubeConfig(o: CompletedOptions): KubeConfig {
  const kc = new KubeConfig();
  if (o.kubeconfig) kc.loadFromFile(o.kubeconfig);
  else kc.loadFromCluster();
  return kc;
}

/** startServer builds and runs fedmesh-apiserver; it resolves once the port listens. */
export async function startServer(
  o: CompletedOptions,
  log: Logger = jsonLogger(o.logLevel),
): Promise<RunningServer> {
  const kc = loadKubeConfig(o);
  const core = Core.load();
  const mesh = new MeshStore(core, () => new Date(), o.watchHistory);
  const resources = servedResources(core, mesh);
  const authConfig = new AuthConfigWatcher({ kubeConfig: kc, logger: log });
  const clusterName = await resolveClusterName(kc, o.clusterName, log);
  const metrics = new Metrics({ federatedendpoints: mesh.endpoints, federatedhostendpoints: mesh.hosts });
  const fed = startFederation(kc, o, mesh, metrics, log);
  const local = fed.controller.addLocal(clusterName, kc);
  let synced = false;
  let shuttingDown = false;
  void local.synced.then(() => (synced = true));
  const authenticator = new DelegatingAuthenticator({
    settings: () => authConfig.current(),
    tokens: new TokenReviewAuthenticator({ client: kc.makeApiClient(AuthenticationV1Api), logger: log }),
    logger: log,
  });
  const authorizer = new SubjectAccessReviewAuthorizer({
    client: kc.makeApiClient(AuthorizationV1Api),
    logger: log,
  });
  const all = [...resources.values()];
  const openWatches = new Set<() => void>();
  const app = buildApp({
    authenticator,
    authorizer,
    discovery: new Discovery(all),
    openapi: openapiRouter({ resources: all.map((r) => ({ ...r.info, verbs: verbsOf(r) })) }),
    rest: {
      resources,
      compileSelector: selectorCompiler(core),
      currentRV: () => mesh.revision.current(),
      watch: {
        bookmarkIntervalMs: 60_000,
        maxBufferedBytes: 32 << 20,
        minTimeoutSeconds: o.minRequestTimeoutSeconds,
        now: Date.now,
        open: openWatches,
      },
      maxBodyBytes: 3 << 20,
    },
    metrics,
    log,
    readyChecks: [
      {
        name: 'informer-sync',
        check: () => (synced ? undefined : `cluster ${o.clusterName} not listed yet`),
      },
      {
        name: 'authentication-config',
        check: () =>
          authConfig.current() ? undefined : 'kube-system/extension-apiserver-authentication not read yet',
      },
      { name: 'shutdown', check: () => (shuttingDown ? 'shutting down' : undefined) },
    ],
    liveChecks: [{ name: 'ping', check: () => undefined }],
  });
  await authConfig.start();
  const server = createServer(
    { cert: o.certPem, key: o.keyPem, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' },
    app,
  );
  const sockets = trackSockets(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.securePort, o.bindAddress, resolve);
  });
  const port = (server.address() as { port: number }).port;
  log.info('serving', { address: `https://${o.bindAddress}:${port}`, cluster: clusterName });
  const stop = async (): Promise<void> => {
    shuttingDown = true;
    const closed = new Promise((r) => server.close(r));
    // Watch streams end cleanly (the response is terminated; the client re-watches or relists).
    for (const stopWatch of [...openWatches]) stopWatch();
    server.closeIdleConnections();
    setTimeout(() => sockets.forEach((s) => s.destroy()), 2000).unref();
    await closed;
    authConfig.stop();
    await fed.stop();
  };
  return { port, mesh, synced: local.synced, stop };
}

/** resolveClusterName prefers MeshConfiguration "default" spec.clusterName over the flag. */
async function resolveClusterName(kc: KubeConfig, flag: string, log: Logger): Promise<string> {
  try {
    const mc = (await kc.makeApiClient(CustomObjectsApi).getClusterCustomObject({
      group: 'config.federated.mesh',
      version: 'v1alpha1',
      plural: 'meshconfigurations',
      name: 'default',
    })) as { spec?: { clusterName?: string } };
    if (mc.spec?.clusterName) return mc.spec.clusterName;
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code !== 404)
      log.warn('cannot read MeshConfiguration default; using --cluster-name', {
        error: String((err as Error).message ?? err).slice(0, 200),
      });
  }
  return flag;
}

/** startFederation runs remote-cluster sync: the controller, its config watcher, leader election and status. */
function startFederation(
  kc: KubeConfig,
  o: CompletedOptions,
  mesh: MeshStore,
  metrics: Metrics,
  log: Logger,
) {
  const elector = new LeaderElector({
    kubeConfig: kc,
    namespace: o.serviceNamespace,
    name: 'fedmesh-apiserver',
    identity: `${hostname()}-${randomUUID().slice(0, 8)}`,
    log,
  });
  const writer = new StatusWriter(kc, () => elector.isLeader(), log);
  const controller = new FederationController({
    mesh,
    log,
    staleGraceMs: (o.staleGracePeriodSeconds ?? 300) * 1000,
    startSyncer: (cluster, ckc, onState) =>
      startSyncer({ cluster, kubeConfig: ckc, kinds: coreKinds(mesh, cluster), log, onState }),
    onHealth: (name, h) => {
      writer.publish(name, h);
      metrics.clusterHealth(name, h);
    },
  });
  const watcher = new ConfigWatcher(kc, controller, log);
  elector.start();
  void watcher.start();
  const stop = async (): Promise<void> => {
    writer.stop();
    await Promise.all([watcher.stop(), controller.stop(), elector.stop()]);
  };
  return { controller, stop };
}

function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return sockets;
}
