// app.ts: fedmesh-apiserver from its Config: newServer builds every part (authentication and
// authorization delegated to the cluster, federation, leader election, the RCC status controller
// and the HTTP application) and run() starts them and listens. Used by main.ts and, in-process, by
// tests and benchmarks.
import { AuthenticationV1Api, AuthorizationV1Api } from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Express } from 'express';
import { Admission } from './admission.js';
import { AuthConfigWatcher } from './auth/authconfig.js';
import { DelegatingAuthenticator } from './auth/authn.js';
import { SubjectAccessReviewAuthorizer } from './auth/authz.js';
import { TokenReviewAuthenticator } from './auth/tokenreview.js';
import { newConfig, type Config } from './config.js';
import { CredentialRotator } from './controllers/credentials/rotator.js';
import { FedServicesController } from './controllers/fedservices/controller.js';
import { MCSController } from './controllers/mcs/controller.js';
import { PolicyController } from './controllers/policy/controller.js';
import { SyncGate } from './controllers/policy/gate.js';
import { PolicyStatusWriter } from './controllers/policy/status.js';
import { StatusWriter } from './controllers/rccstatus/writer.js';
import { Discovery } from './discovery.js';
import { Federation } from './federation/federation.js';
import { PooledKubeConfig } from './kubeconfig.js';
import { LeaderElector } from './leader/lease.js';
import type { Logger } from './log.js';
import type { MeshStore } from './mesh/meshstore.js';
import { openapiRouter } from './openapi/router.js';
import type { CompletedOptions } from './options.js';
import { verbsOf } from './rest/resource.js';
import { resolveClusterName, selectorCompiler } from './run.js';
import { buildApp } from './server.js';
import { listen } from './listen.js';

/** RunningServer is a started fedmesh-apiserver. */
export interface RunningServer {
  port: number;
  mesh: MeshStore;
  /** synced resolves when the local cluster has been listed once. */
  synced: Promise<void>;
  /** stop ends watches, closes the listener and stops syncing. */
  stop(): Promise<void>;
}

/** Server is fedmesh-apiserver built from a Config, not yet started. */
export class Server {
  readonly #authConfig: AuthConfigWatcher;
  readonly #elector: LeaderElector;
  readonly #status: StatusWriter;
  readonly #federation: Federation;
  readonly #openWatches = new Set<() => void>();
  readonly #admission: Admission;
  readonly #credentials: CredentialRotator;
  readonly #policies: PolicyController;
  readonly #policyGate: SyncGate;
  readonly #fedServices: FedServicesController;
  readonly #mcs: MCSController;
  readonly #app: Express;
  #synced = false;
  #shuttingDown = false;

  constructor(private readonly c: Config) {
    const kc = c.kubeConfig;
    this.#authConfig = new AuthConfigWatcher({ kubeConfig: kc, logger: c.log });
    this.#elector = new LeaderElector({
      kubeConfig: kc,
      namespace: c.options.serviceNamespace,
      name: 'fedmesh-apiserver',
      identity: `${hostname()}-${randomUUID().slice(0, 8)}`,
      log: c.log,
    });
    const isLeader = (): boolean => this.#elector.isLeader();
    this.#credentials = new CredentialRotator({
      local: kc,
      isLeader,
      log: c.log,
      renewFraction: c.options.credentialRenewFraction,
      onChange: (name) => this.#status.touch(name),
    });
    this.#status = new StatusWriter(kc, isLeader, c.log, 1000, (name) => this.#credentials.state(name));
    c.mesh.onCluster((e) => {
      if (e.type === 'removed') this.#status.forget(e.cluster);
    });
    this.#federation = new Federation({
      kubeConfig: kc,
      mesh: c.mesh,
      log: c.log,
      staleGracePeriodSeconds: c.options.staleGracePeriodSeconds ?? 300,
      secretNamespace: c.options.serviceNamespace,
      credentials: this.#credentials,
      onHealth: (name, h) => {
        this.#policyGate.report(name, h.synced);
        this.#status.publish(name, h);
        c.metrics.clusterHealth(name, h);
      },
    });
    this.#policyGate = new SyncGate((c.options.policySyncTimeoutSeconds ?? 120) * 1000, (missing) =>
      c.log.warn(
        'serving policy IP sets without clusters that have not synced yet; their endpoints join the sets when they do',
        {
          clusters: missing,
        },
      ),
    );
    c.metrics.policyGate(() => this.#policyGate.state());
    this.#policies = new PolicyController({
      core: c.core,
      selection: c.mesh.selection,
      stores: { sets: c.mesh.ipSets, slices: c.mesh.ipSetSlices },
      log: c.log,
      status: new PolicyStatusWriter(kc, isLeader, c.log),
      now: c.now,
    });
    // Federated services and MCS imports: leader-gated writers with the same write budget each.
    const writers = {
      mesh: c.mesh,
      kubeConfig: kc,
      log: c.log,
      isLeader,
      writesPerSecond: c.options.endpointSliceWritesPerSecond,
    };
    this.#fedServices = new FedServicesController({ ...writers, core: c.core });
    this.#mcs = new MCSController(writers);
    this.#admission = new Admission({
      maxInFlight: c.options.maxRequestsInflight,
      maxMutatingInFlight: c.options.maxMutatingRequestsInflight,
      maxWatches: c.options.maxOpenWatches,
    });
    c.metrics.admission(this.#admission);
    this.#app = this.#buildApp();
  }

  #buildApp(): Express {
    const { options: o, log, kubeConfig: kc } = this.c;
    const all = [...this.c.resources.values()];
    return buildApp({
      admission: this.#admission,
      authenticator: new DelegatingAuthenticator({
        settings: () => this.#authConfig.current(),
        tokens: new TokenReviewAuthenticator({ client: kc.makeApiClient(AuthenticationV1Api), logger: log }),
        logger: log,
      }),
      authorizer: new SubjectAccessReviewAuthorizer({
        client: kc.makeApiClient(AuthorizationV1Api),
        logger: log,
      }),
      discovery: new Discovery(all),
      openapi: openapiRouter({ resources: all.map((r) => ({ ...r.info, verbs: verbsOf(r) })) }),
      rest: {
        resources: this.c.resources,
        compileSelector: selectorCompiler(this.c.core),
        currentRV: () => this.c.mesh.revision.current(),
        watch: {
          bookmarkIntervalMs: o.watchBookmarkIntervalSeconds * 1000,
          maxBufferedBytes: o.watchMaxBufferedBytes,
          minTimeoutSeconds: o.minRequestTimeoutSeconds,
          now: Date.now,
          open: this.#openWatches,
        },
        maxBodyBytes: o.maxRequestBodyBytes,
      },
      metrics: this.c.metrics,
      log,
      readyChecks: this.#readyChecks(),
      liveChecks: [
        { name: 'ping', check: () => undefined },
        { name: 'selector-core', check: () => this.c.core.failure?.message },
      ],
    });
  }

  #readyChecks(): { name: string; check: () => string | undefined }[] {
    return [
      {
        name: 'informer-sync',
        check: () => (this.#synced ? undefined : `cluster ${this.c.options.clusterName} not listed yet`),
      },
      {
        name: 'authentication-config',
        check: () =>
          this.#authConfig.current()
            ? undefined
            : 'kube-system/extension-apiserver-authentication not read yet',
      },
      { name: 'shutdown', check: () => (this.#shuttingDown ? 'shutting down' : undefined) },
    ];
  }

  // startPolicies serves policy IP sets once every cluster known at start has synced (gate.ts).
  #startPolicies(clusterName: string, localSynced: Promise<void>, configured: Promise<string[]>): void {
    const gate = this.#policyGate;
    gate.arm();
    void localSynced.then(() => gate.report(clusterName, true));
    configured.then((names) => gate.expect([clusterName, ...names])).catch(() => undefined); // the bound still opens the gate
    void gate.opened.then(() => {
      if (!this.#shuttingDown) this.#policies.start(this.c.kubeConfig, clusterName);
    });
  }

  /** run starts syncing, the leader election and the listener; it resolves once the port listens. */
  async run(): Promise<RunningServer> {
    const { options: o, log } = this.c;
    const clusterName = await resolveClusterName(this.c.kubeConfig, o.clusterName, log);
    this.#elector.start();
    const { local, configListed, configured } = this.#federation.start(clusterName);
    this.#startPolicies(clusterName, local.synced, configured);
    void local.synced.then(() => (this.#synced = true));
    // Slices are written once the local view is complete and every configured cluster's sync has
    // begun (clusters still on their first sync keep the slices they had).
    const settled = new Promise<void>((r) => setTimeout(r, 30_000).unref());
    const writable = local.synced.then(() => Promise.race([configListed, settled]));
    this.#fedServices.start(clusterName, writable);
    this.#mcs.start(clusterName, writable);
    await this.#authConfig.start();
    const listener = await listen(this.#app, o);
    log.info('serving', { address: `https://${o.bindAddress}:${listener.port}`, cluster: clusterName });
    const stop = async (): Promise<void> => {
      this.#shuttingDown = true;
      // Watch streams end cleanly (the response is terminated; the client re-watches or relists).
      await listener.close(() => [...this.#openWatches].forEach((stopWatch) => stopWatch()));
      this.#authConfig.stop();
      this.#status.stop();
      this.#credentials.stop();
      this.#policyGate.stop();
      this.#fedServices.stop();
      await Promise.all([
        this.#federation.stop(),
        this.#elector.stop(),
        this.#policies.stop(),
        this.#mcs.stop(),
      ]);
      if (this.c.kubeConfig instanceof PooledKubeConfig) this.c.kubeConfig.close();
    };
    return { port: listener.port, mesh: this.c.mesh, synced: local.synced, stop };
  }
}

/** newServer builds fedmesh-apiserver from its Config. */
export const newServer = (c: Config): Server => new Server(c);

/** startServer builds and runs fedmesh-apiserver from completed options. */
export async function startServer(o: CompletedOptions, log?: Logger): Promise<RunningServer> {
  return newServer(newConfig(o, log)).run();
}
