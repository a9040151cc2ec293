// nodes.ts: real nodes for harness clusters. prepareNodes claims a slot, builds the underlay and
// starts the reaper (cleanup.sh --wait, which tears everything down if this process dies without
// stopping, even by SIGKILL); the clusters then start on the underlay address with the options
// clusterOptions gives; start() then brings up every node of every cluster in parallel.
import { execFile, spawn } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { issueCert } from '../../../core/pki.js';
import type { Cluster } from '../cluster.js';
import { kubectlOk } from '../kubectl.js';
import { createCgroups } from './cgroups.js';
import { addPodRoutes, createNodeNetns, createUnderlay, hostRoutes, type PodRoutes } from './network.js';
import { RealNode, type ClusterAccess, type NodeContext } from './node.js';
import type { NodePrerequisites } from './prerequisites.js';
import { allNodes, planNodes, type Plan } from './plan.js';
import {
  claimSlot,
  CLEANUP_SCRIPT,
  envFile,
  kernelBaseline,
  restoreKernelSettings,
  sweepStale,
  writeRecord,
  RUN_DIR,
} from './registry.js';

const run = promisify(execFile);

/** NodesOptions configure the real nodes of a control plane. */
export interface NodesOptions {
  /** Nodes per cluster (1-15). */
  perCluster: number;
  /** State folder; default a new folder in the temporary directory, removed on stop. */
  dir?: string;
  /** CNI plugins chained after bridge + host-local, as conflist plugin objects. */
  chained?: object[];
  /** Extra CNI plugin executables by type name (linked into the CNI bin folder). */
  cniBinaries?: Record<string, string>;
  /**
   * Run workloads as a real cluster does: a kube-scheduler and the deployment and replicaset
   * controllers, so Deployments get pods on the nodes; and the aggregator dials an APIService's
   * Service endpoints (pod IPs, which the host routes to) since kube-apiserver runs on the host,
   * outside every node's kube-proxy. Local-mode fedmesh (an ExternalName Service) needs it off.
   */
  workloads?: boolean;
  /** Static routes between the nodes' pod CIDRs on the underlay: all (default true), only within
   * each cluster ('cluster'), or none (false); what is not routed is left to an overlay (fedmesh-node). */
  podRoutes?: PodRoutes;
  /** The bridge plugin's ipMasq (default false): pod traffic leaving the pod CIDR is masqueraded. */
  ipMasq?: boolean;
  /** Dual-stack pods (default false): every node gets an IPv6 pod CIDR too, pods an IPv6 address. */
  ipv6?: boolean;
}

/** ClusterNodeOptions are what a Cluster needs to serve real nodes. */
export interface ClusterNodeOptions {
  bindAddress: string;
  extraArgs: (c: Cluster) => string[];
  extraControllers: string[];
  scheduler: boolean;
}

/** NODE_CLUSTER_CONTROLLERS are the kube-controller-manager controllers pods and Services need. */
export const NODE_CLUSTER_CONTROLLERS = [
  'endpointslice-controller',
  'endpointslice-mirroring-controller',
  'root-ca-certificate-publisher-controller',
  'pod-garbage-collector-controller',
];

/**
 * WORKLOAD_CONTROLLERS are the kube-controller-manager controllers Deployments and DaemonSets need; the node
 * lifecycle controller lifts the not-ready taint a new Node gets, or the scheduler places nothing.
 */
export const WORKLOAD_CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'daemonset-controller',
  'disruption-controller',
  'node-lifecycle-controller',
];

/** NodeSet is the running nodes of every cluster. */
export class NodeSet {
  readonly nodes: RealNode[] = [];
  private reaperPid?: number;
  private stopped = false;

  private constructor(
    readonly plan: Plan,
    readonly dir: string,
    private readonly ctx: NodeContext,
    private readonly baseline: Map<string, string>,
    private readonly workloads: boolean,
    private readonly podRoutes: PodRoutes = true,
  ) {}

  /** prepare claims a slot and makes the underlay, the cgroups and the reaper; call start() next. */
  static async prepare(clusters: string[], opts: NodesOptions, pre: NodePrerequisites): Promise<NodeSet> {
    sweepStale();
    const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'fedmesh-nodes-'));
    mkdirSync(dir, { recursive: true });
    const slot = claimSlot(dir);
    const plan = planNodes(slot, clusters, opts.perCluster);
    const ctx: NodeContext = {
      plan,
      dir,
      binDir: pre.binDir,
      cniBinDir: join(dir, 'cni-bin'),
      resolvConf: join(dir, 'resolv.conf'),
      images: pre.images,
      chained: opts.chained ?? [],
      ipMasq: opts.ipMasq ?? false,
      ipv6: opts.ipv6 ?? false,
      daemonsCgroup: `/sys/fs/cgroup/pids${plan.cgroupTop}/daemons`,
    };
    const set = new NodeSet(
      plan,
      dir,
      ctx,
      kernelBaseline(),
      opts.workloads ?? false,
      opts.podRoutes ?? true,
    );
    try {
      set.startReaper();
      writeRecord(set.record());
      createCgroups(plan);
      await createUnderlay(plan);
      linkCniBinaries(ctx.cniBinDir, opts.cniBinaries ?? {});
      writeFileSync(ctx.resolvConf, `nameserver ${plan.dnsIP}\n`);
    } catch (err) {
      await set.stop();
      throw err;
    }
    return set;
  }

  /** images are the pause and workload images every node has imported. */
  get images(): NodeContext['images'] {
    return this.ctx.images;
  }

  /** clusterOptions are the options of the named cluster's Cluster. */
  clusterOptions(name: string): ClusterNodeOptions {
    if (!this.plan.clusters.some((c) => c.name === name))
      throw new Error(`no nodes planned for cluster ${name}`);
    const w = this.workloads;
    return {
      bindAddress: this.plan.hostIP,
      extraArgs: (c) => [...apiserverNodeArgs(c), ...(w ? ['--enable-aggregator-routing=true'] : [])],
      extraControllers: [...NODE_CLUSTER_CONTROLLERS, ...(w ? WORKLOAD_CONTROLLERS : [])],
      scheduler: w,
    };
  }

  /** importImage imports an image archive into the containerd of every node (of one cluster, when named). */
  async importImage(archivePath: string, cluster?: string): Promise<void> {
    const nodes = this.nodes.filter((n) => !cluster || n.plan.cluster === cluster);
    await Promise.all(nodes.map((n) => n.ctr(['images', 'import', archivePath])));
  }

  /** start brings up the nodes of every cluster (in parallel) and waits until all are Ready. */
  async start(clusters: Cluster[]): Promise<void> {
    const access = new Map(clusters.map((c) => [c.name, clusterAccess(c, this.plan, this.ctx.ipv6)]));
    for (const cp of this.plan.clusters)
      await createNodeObjects(
        clusters.find((c) => c.name === cp.name)!,
        this.plan,
        this.ctx.ipv6,
      );
    const nodes = allNodes(this.plan);
    await Promise.all(nodes.map((n) => createNodeNetns(this.plan, n, this.podRoutes, this.ctx.ipv6)));
    await addPodRoutes(this.plan);
    for (const n of nodes) this.nodes.push(new RealNode(n, this.ctx));
    await Promise.all(this.nodes.map((n) => n.start(access.get(n.plan.cluster)!)));
    // Every kubelet sets vm.overcommit_memory, kernel.panic and kernel.panic_on_oops at start.
    restoreKernelSettings(this.baseline);
  }

  /** node returns the named node (of any cluster) or throws. */
  node(name: string, cluster?: string): RealNode {
    const n = this.nodes.find((x) => x.name === name && (!cluster || x.plan.cluster === cluster));
    if (!n) throw new Error(`no node ${name}; have ${this.nodes.map((x) => x.name).join(', ')}`);
    return n;
  }

  /** nodesOf lists a cluster's nodes. */
  nodesOf(cluster: string): RealNode[] {
    return this.nodes.filter((n) => n.plan.cluster === cluster);
  }

  /** stop ends every node process and removes everything the nodes made; safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.reaperPid) process.kill(this.reaperPid, 'SIGKILL');
    await Promise.allSettled(this.nodes.map((n) => n.stop()));
    await run(CLEANUP_SCRIPT, [envFile(this.plan.prefix)], { timeout: 120_000 });
    restoreKernelSettings(this.baseline);
  }

  private record(): Parameters<typeof writeRecord>[0] {
    return {
      PREFIX: this.plan.prefix,
      DIR: this.dir,
      RUN_DIR,
      OWNER_PID: process.pid,
      REAPER_PID: this.reaperPid,
      HOST_ROUTES: hostRoutes(this.plan),
    };
  }

  // startReaper runs cleanup.sh --wait detached, reading a pipe only this process holds open.
  private startReaper(): void {
    const log = openSync(join(this.dir, 'reaper.log'), 'a');
    const child = spawn(CLEANUP_SCRIPT, ['--wait', envFile(this.plan.prefix)], {
      detached: true,
      stdio: ['pipe', log, log],
    });
    closeSync(log);
    child.once('error', (err) => console.error(`fedmesh: node reaper ${CLEANUP_SCRIPT}: ${err.message}`));
    child.unref();
    (child.stdin as unknown as { unref(): void }).unref();
    this.reaperPid = child.pid;
  }
}

function linkCniBinaries(binDir: string, extra: Record<string, string>): void {
  mkdirSync(binDir, { recursive: true });
  for (const name of readdirSync('/usr/lib/cni')) symlinkSync(join('/usr/lib/cni', name), join(binDir, name));
  for (const [name, path] of Object.entries(extra)) symlinkSync(path, join(binDir, name));
}

// apiserverNodeArgs: Node authorization and NodeRestriction, ServiceAccount admission back on,
// kubelet client credentials, and the Endpoints of `kubernetes` reconciled to the underlay address.
function apiserverNodeArgs(c: Cluster): string[] {
  const cert = issueCert(c.pki.clientCA, {
    commonName: 'kube-apiserver-kubelet-client',
    organizations: ['system:masters'],
    usage: 'client',
  });
  const crt = join(c.dir, 'kubelet-client.crt');
  const key = join(c.dir, 'kubelet-client.key');
  writeFileSync(crt, cert.certPem, { mode: 0o600 });
  writeFileSync(key, cert.keyPem, { mode: 0o600 });
  return [
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    '--disable-admission-plugins=',
    `--kubelet-client-certificate=${crt}`,
    `--kubelet-client-key=${key}`,
    '--kubelet-preferred-address-types=InternalIP',
    '--endpoint-reconciler-type=lease',
  ];
}

// clusterCIDRs is kube-proxy's clusterCIDR: the cluster's pod CIDR, and its IPv6 one when dual-stack.
function clusterCIDRs(plan: Plan, cluster: string, ipv6: boolean): string {
  const c = plan.clusters.find((x) => x.name === cluster)!;
  return ipv6 ? `${c.clusterCIDR},${c.clusterCIDR6}` : c.clusterCIDR;
}

function clusterAccess(c: Cluster, plan: Plan, ipv6: boolean): ClusterAccess {
  return {
    name: c.name,
    url: c.url,
    servingCAPem: c.pki.servingCA.certPem,
    clientCAPem: c.pki.clientCA.certPem,
    clusterCIDR: clusterCIDRs(plan, c.name, ipv6),
    kubeProxy: issueCert(c.pki.clientCA, { commonName: 'system:kube-proxy', usage: 'client' }),
    kubeletCert: (name) =>
      issueCert(c.pki.clientCA, {
        commonName: `system:node:${name}`,
        organizations: ['system:nodes'],
        usage: 'client',
      }),
    nodeReady: async (name) => {
      const r = await c.get(`/api/v1/nodes/${name}`);
      if (r.status !== 200) return false;
      const node = JSON.parse(r.body) as { status?: { conditions?: { type: string; status: string }[] } };
      return node.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;
    },
  };
}

// createNodeObjects registers the cluster's nodes with their pod CIDRs before the kubelets start
// (a kubelet adopts an existing Node; it cannot set spec.podCIDR itself).
async function createNodeObjects(c: Cluster, plan: Plan, ipv6: boolean): Promise<void> {
  const nodes = plan.clusters.find((x) => x.name === c.name)!.nodes;
  const items = nodes.map((n) => ({
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux' } },
    spec: { podCIDR: n.podCIDR, podCIDRs: ipv6 ? [n.podCIDR, n.podCIDR6] : [n.podCIDR] },
  }));
  await kubectlOk(c.kubeconfig, ['create', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
  });
}
