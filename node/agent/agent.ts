// agent.ts: fedmesh-node. Mirrors the local cluster's FederatedHostEndpoints and MeshConfiguration,
// and reconciles the node's kernel to them (node/dataplane) after each change (debounced) and
// periodically (to repair drift); serves /healthz, /readyz (ready after the first full reconcile),
// /metrics, and the unix socket of fedmesh-cni. Enforcement is gated on sync: nothing is programmed
// before both resources are listed, so a restart never applies a partial view.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import {
  FEDERATED_HOST_ENDPOINTS,
  MESH_CONFIGURATIONS,
  MESH_CONFIGURATION_NAME,
  OVERLAY_CONDITION,
  POLICY_CONDITION,
  type FederatedHostEndpoint,
  type MeshConfiguration,
  type OverlayState,
  overlayMessage,
} from '../../api/index.js';
import type { Runner } from '../dataplane/exec.js';
import { Reconciler, type Outcome } from '../dataplane/reconciler.js';
import { CniServer } from './cniserver.js';
import { plan, type Uplink } from './desired.js';
import { AgentMetrics } from './metrics.js';
import { NodeStatus } from './nodestatus.js';
import { policyCondition } from './policystatus.js';
import { Reflector } from './reflector.js';
import { PolicyEnforcer, type PolicySource } from '../policy/enforcer.js';

/** AgentConfig is a completed configuration of fedmesh-node. */
export interface AgentConfig {
  kc: KubeConfig;
  nodeName: string;
  socket: string;
  healthAddress: string;
  healthPort: number;
  resyncMs: number;
  runner: Runner;
  log: (msg: string) => void;
  /** statusIntervalMs rate-limits the Node condition (default 5 s); heartbeat every 5 min. */
  statusIntervalMs?: number;
  /** policy, when set, enforces MeshNetworkPolicies on the node's pods from this source; a pod's
   * CNI ADD is answered once its policy is applied (waitMs, default 4 s, below fedmesh-cni's 5 s). */
  policy?: { source: PolicySource; waitMs?: number };
}

const path = (r: { group: string; version: string; plural: string }): string =>
  `/apis/${r.group}/${r.version}/${r.plural}`;

/** Agent is a running fedmesh-node. */
export class Agent {
  readonly metrics = new AgentMetrics();
  readonly cni: CniServer;
  /** policy enforces MeshNetworkPolicies when the agent was given a policy source. */
  readonly policy?: PolicyEnforcer;
  /** ready turns true after the first reconcile that applied a full view. */
  ready = false;
  /** last is the outcome of the last successful reconcile. */
  last?: Outcome;
  /** status says what the agent waits for or what failed last ('' when fine). */
  status = 'starting';
  private readonly hosts: Reflector<FederatedHostEndpoint>;
  private readonly configs: Reflector<MeshConfiguration>;
  private readonly reconciler: Reconciler;
  private readonly nodeStatus: NodeStatus;
  private readonly policyStatus?: NodeStatus;
  private counts: Pick<OverlayState, 'clusters' | 'routes'> = { clusters: {}, routes: 0 };
  private http?: Server;
  private timer?: NodeJS.Timeout;
  private resync?: NodeJS.Timeout;
  private podMTU?: number;
  private running?: Promise<void>;
  private again = false;

  constructor(private readonly c: AgentConfig) {
    this.reconciler = new Reconciler(c.runner);
    this.hosts = new Reflector(c.kc, path(FEDERATED_HOST_ENDPOINTS), () => this.schedule());
    this.configs = new Reflector(c.kc, path(MESH_CONFIGURATIONS), () => this.schedule());
    const status = (type: string): NodeStatus =>
      new NodeStatus({
        kc: c.kc,
        type,
        nodeName: c.nodeName,
        minIntervalMs: c.statusIntervalMs ?? 5000,
        heartbeatMs: 300_000,
        log: c.log,
      });
    this.nodeStatus = status(OVERLAY_CONDITION);
    this.policyStatus = c.policy && status(POLICY_CONDITION);
    const policy = c.policy && this.enforcer(c.policy.source);
    this.policy = policy;
    const waitMs = c.policy?.waitMs ?? 4000;
    this.cni = new CniServer({
      path: c.socket,
      mtu: () => this.podMTU,
      ready: () => this.ready,
      changed: () => policy?.changed(),
      ...(policy && {
        admit: (): Promise<string | undefined> =>
          policy.applied(waitMs).then(
            () => undefined,
            (err: Error) => err.message,
          ),
      }),
    });
  }

  /** start serves health, metrics and the CNI socket, and starts the watches. */
  async start(): Promise<void> {
    await this.cni.listen();
    this.http = createServer((req, res) => void this.serveHTTP(req.url ?? '', res));
    await new Promise<void>((resolve, reject) => {
      this.http!.once('error', reject);
      this.http!.listen(this.c.healthPort, this.c.healthAddress, () => resolve());
    });
    void this.hosts.run();
    void this.configs.run();
    this.policy?.start();
    this.resync = setInterval(() => this.schedule(), this.c.resyncMs);
  }

  /** port is the health server's port (useful with port 0). */
  get port(): number {
    const a = this.http?.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  /** stop ends the watches and servers; the kernel state stays for the next agent to adopt. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    clearInterval(this.resync);
    this.hosts.stop();
    this.configs.stop();
    await this.running;
    await this.policy?.stop();
    await this.nodeStatus.stop();
    await this.policyStatus?.stop();
    await this.cni.close();
    const h = this.http;
    if (h) await new Promise<void>((resolve) => h.close(() => resolve()));
  }

  // schedule debounces changes into one reconcile; a change during a reconcile runs another after it.
  private schedule(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.reconcile().finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.schedule();
        }
      });
    }, 100);
  }

  private async reconcile(): Promise<void> {
    if (!this.hosts.synced || !this.configs.synced) {
      this.status = this.hosts.lastError ?? this.configs.lastError ?? 'listing the mesh';
      return this.report('Waiting');
    }
    const uplinks = await this.uplinks();
    const p = plan(
      this.configs.items.get(MESH_CONFIGURATION_NAME),
      this.hosts.items.values(),
      this.c.nodeName,
      (a) => uplinks.get(a),
    );
    if ('wait' in p) {
      this.status = p.wait;
      return this.report('Waiting');
    }
    const end = this.metrics.duration.startTimer();
    try {
      const out = await this.reconciler.reconcile(p.desired);
      this.record(out, p.desired.peers.length);
      this.podMTU = p.podMTU;
      if (!this.ready)
        this.c.log(`first reconcile done: ${p.desired.peers.length} remote nodes, ${out.routes} routes`);
      this.ready = true;
      this.status = '';
      const clusters: Record<string, number> = {};
      for (const peer of p.desired.peers) clusters[peer.cluster] = (clusters[peer.cluster] ?? 0) + 1;
      this.counts = { clusters, routes: out.routes };
      this.report('Programmed');
    } catch (err) {
      this.metrics.errors.inc();
      this.status = `reconcile failed: ${(err as Error).message}`;
      this.c.log(this.status);
      this.report('ReconcileFailed');
    } finally {
      end();
    }
  }

  // enforcer builds the policy enforcer of the registered pods (their addresses without prefix).
  private enforcer(source: PolicySource): PolicyEnforcer {
    return new PolicyEnforcer({
      runner: this.c.runner,
      source,
      pods: () => this.cni.registered().map((p) => ({ ips: p.ips.map((ip) => ip.replace(/\/\d+$/, '')) })),
      log: this.c.log,
      resyncMs: this.c.resyncMs,
      onStatus: () => this.policy && this.policyStatus?.report(policyCondition(this.policy)),
    });
  }

  // report writes the state on the Node: what is programmed, and what the agent waits for or failed on.
  private report(reason: OverlayState['reason']): void {
    const state: OverlayState = { reason, ...this.counts, ...(this.status ? { error: this.status } : {}) };
    this.nodeStatus.report({
      status: reason === 'Programmed' ? 'True' : 'False',
      reason,
      message: overlayMessage(state),
    });
  }

  private record(out: Outcome, peers: number): void {
    this.last = out;
    this.metrics.remoteNodes.set(peers);
    this.metrics.routes.set(out.routes);
    this.metrics.skipped.set(out.skipped.length);
    this.metrics.conflicts.set(out.conflicts.length);
    this.metrics.changes.inc(out.changes);
    if (out.changes)
      this.c.log(`applied ${out.changes} changes (${peers} remote nodes, ${out.routes} routes)`);
    for (const s of out.skipped) this.c.log(`left ${s} to a route fedmesh does not own`);
  }

  // uplinks maps each local address to its device and MTU (one `ip -j addr` per reconcile).
  private async uplinks(): Promise<Map<string, Uplink>> {
    const links = await this.c.runner.ipJSON<{
      ifname: string;
      mtu: number;
      addr_info?: { local: string }[];
    }>(['addr', 'show']);
    return new Map(
      links.flatMap((l) =>
        (l.addr_info ?? []).map((a) => [a.local, { name: l.ifname, mtu: l.mtu }] as const),
      ),
    );
  }

  private async serveHTTP(url: string, res: ServerResponse): Promise<void> {
    const p = url.split('?')[0];
    if (p === '/metrics') {
      this.metrics.pods.set(this.cni.registered().length);
      if (this.policy) this.metrics.policyWaiting.set(this.policy.status ? 1 : 0);
      res.writeHead(200, { 'Content-Type': this.metrics.registry.contentType });
      res.end(await this.metrics.registry.metrics());
    } else if (p === '/healthz' || p === '/livez') {
      res.writeHead(200).end('ok');
    } else if (p === '/readyz') {
      res.writeHead(this.ready ? 200 : 503).end(this.ready ? 'ok' : `not ready: ${this.status}`);
    } else res.writeHead(404).end('not found');
  }
}
