// app.ts: builds fedmesh-apiserver from completed options and runs it: the mesh store fed by the
// local cluster, the served resources, authentication and authorization delegated to the cluster,
// and the HTTPS server. Used by main.ts and, in-process, by tests and benchmarks.
import { AuthenticationV1Api, AuthorizationV1Api, KubeConfig } from '@kubernetes/client-node';
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import { Core, SelectorError } from '../core/index.js';
import { AuthConfigWatcher } from './auth/authconfig.js';
import { DelegatingAuthenticator } from './auth/authn.js';
import { SubjectAccessReviewAuthorizer } from './auth/authz.js';
import { TokenReviewAuthenticator } from './auth/tokenreview.js';
import { Discovery } from './discovery.js';
import { jsonLogger, type Logger } from './log.js';
import { startClusterSource, type ClusterSource } from './mesh/cluster-source.js';
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
  const source: ClusterSource = startClusterSource(kc, o.clusterName, mesh, log);
  let synced = false;
  let shuttingDown = false;
  void source.synced.then(() => (synced = true));
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
      },
      maxBodyBytes: 3 << 20,
    },
    metrics: new Metrics({ federatedendpoints: mesh.endpoints, federatedhostendpoints: mesh.hosts }),
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
  log.info('serving', { address: `https://${o.bindAddress}:${port}`, cluster: o.clusterName });
  const stop = async (): Promise<void> => {
    shuttingDown = true;
    const closed = new Promise((r) => server.close(r));
    // Watch streams end cleanly (the client sees the end of the response and relists).
    for (const s of sockets) s.end();
    setTimeout(() => sockets.forEach((s) => s.destroy()), 2000).unref();
    await closed;
    authConfig.stop();
    await source.stop();
  };
  return { port, mesh, synced: source.synced, stop };
}

function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return sockets;
}
