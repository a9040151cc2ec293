// node.ts: one real test node: containerd, kubelet and kube-proxy, each started with `nsenter`
// into the node's network namespace and the node's mount namespace, inside the instance's pids
// cgroup (so cleanup.sh finds every process, the shims and containers included), and under
// `setpriv --pdeathsig KILL` like every harness child. The mount namespace (held by a sleeping
// process, a slave of the host's) is shared by the three daemons, so the kubelet's volume mounts
// are containerd's too, and in it the node's own folders are bind-mounted at NODE_PATHS: the CNI
// configuration and plugin folders and /run/fedmesh are per node, as hostPath volumes expect,
// and nothing of them appears on the host.
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { KeyPair } from '../../../core/pki.js';
import type { TestImages } from '../../images/test-images.js';
import { writeKubeconfig } from '../kubeconfig.js';
import { logTail, startProcess, stopProcess, type Managed } from '../process.js';
import { waitFor } from '../wait.js';
import {
  cniConflist,
  containerdConfig,
  kubeletConfig,
  kubeProxyConfig,
  NODE_PATHS,
  nodeFiles,
  type NodeFiles,
} from './config.js';
import type { NodePlan, Plan } from './plan.js';

const run = promisify(execFile);

/** NodeContext is what every node of an instance shares. */
export interface NodeContext {
  plan: Plan;
  dir: string;
  binDir: string;
  cniBinDir: string;
  resolvConf: string;
  images: TestImages;
  chained: object[];
  /** ipMasq makes the bridge plugin masquerade pod traffic leaving the pod CIDR. */
  ipMasq: boolean;
  /** ipv6 gives pods an IPv6 address too (dual-stack pod CIDRs). */
  ipv6: boolean;
  /** The pids cgroup every node process is started in. */
  daemonsCgroup: string;
}

/** ClusterAccess is how a node reaches its cluster's kube-apiserver. */
export interface ClusterAccess {
  name: string;
  url: string;
  servingCAPem: string;
  clientCAPem: string;
  clusterCIDR: string;
  /** kubeletCert issues the node's client certificate (system:node:<name> in system:nodes). */
  kubeletCert(node: string): KeyPair;
  kubeProxy: KeyPair;
  /** ready reports whether the Node object is Ready. */
  nodeReady(name: string): Promise<boolean>;
}

/** RealNode is a running node. */
export class RealNode {
  readonly files: NodeFiles;
  /** mounts holds the node's mount namespace open. */
  mounts?: Managed;
  containerd?: Managed;
  kubelet?: Managed;
  kubeProxy?: Managed;
  /** readyMs is how long the kubelet took from start to Node Ready. */
  readyMs = 0;

  constructor(
    readonly plan: NodePlan,
    private readonly ctx: NodeContext,
  ) {
    this.files = nodeFiles(ctx.dir, plan);
  }

  get name(): string {
    return this.plan.name;
  }

  /** processes lists the node's daemons that are running. */
  processes(): Managed[] {
    return [this.mounts, this.containerd, this.kubelet, this.kubeProxy].filter(
      (p): p is Managed => p !== undefined,
    );
  }

  /** start writes the configuration, starts containerd, imports the images, then kubelet and kube-proxy. */
  async start(access: ClusterAccess): Promise<void> {
    this.writeFiles(access);
    const f = this.files;
    await this.startMountNamespace();
    this.containerd = this.spawn('containerd', '/usr/bin/containerd', ['--config', f.containerdConfig]);
    await this.wait(
      'containerd socket',
      () => this.ctr(['version']).then(() => true),
      this.containerd,
      30_000,
    );
    await Promise.all(
      [this.ctx.images.pause, this.ctx.images.workload].map((i) => this.ctr(['images', 'import', i.path])),
    );
    const started = Date.now();
    this.kubelet = this.spawn('kubelet', join(this.ctx.binDir, 'kubelet'), [
      `--config=${f.kubeletConfig}`,
      `--kubeconfig=${f.kubeletKubeconfig}`,
      `--root-dir=${f.kubeletRoot}`,
      `--cert-dir=${f.kubeletCertDir}`,
      `--hostname-override=${this.name}`,
      `--node-ip=${this.plan.ip}`,
      '--v=1',
    ]);
    await this.wait('Node Ready', () => access.nodeReady(this.name), this.kubelet, 90_000);
    this.readyMs = Date.now() - started;
    this.kubeProxy = this.spawn('kube-proxy', join(this.ctx.binDir, 'kube-proxy'), [
      `--config=${f.kubeProxyConfig}`,
      '--v=1',
    ]);
    const healthz = `http://${this.plan.ip}:10256/healthz`;
    await this.wait('kube-proxy /healthz', async () => (await fetch(healthz)).ok, this.kubeProxy, 60_000);
  }

  /** stop ends kube-proxy, the kubelet, containerd, then the mount namespace (cleanup.sh kills
   * shims and containers). */
  async stop(): Promise<void> {
    for (const p of [this.kubeProxy, this.kubelet, this.containerd, this.mounts])
      if (p) await stopProcess(p, 3000);
  }

  /** ctr runs containerd's CLI against this node's containerd (Kubernetes namespace). */
  async ctr(args: string[]): Promise<string> {
    const { stdout } = await run(
      'ctr',
      ['--address', this.files.containerdSock, '--namespace', 'k8s.io', ...args],
      {
        timeout: 60_000,
      },
    );
    return stdout;
  }

  private writeFiles(access: ClusterAccess): void {
    const f = this.files;
    for (const d of [
      f.dir,
      f.cniConfDir,
      f.kubeletRoot,
      f.kubeletCertDir,
      f.podLogs,
      f.ipamDir,
      f.cniBinDir,
      f.runDir,
      join(f.dir, 'manifests'),
    ])
      mkdirSync(d, { recursive: true });
    const c = this.ctx;
    for (const name of readdirSync(c.cniBinDir))
      symlinkSync(join(c.cniBinDir, name), join(f.cniBinDir, name));
    writeFileSync(f.containerdConfig, containerdConfig(f, c.images.pause.ref));
    writeFileSync(
      join(f.cniConfDir, '10-fedmesh.conflist'),
      cniConflist(c.plan, this.plan, f, c.chained, c.ipMasq, c.ipv6),
    );
    writeFileSync(f.kubeletConfig, kubeletConfig(c.plan, this.plan, f, c.resolvConf));
    writeFileSync(f.kubeProxyConfig, kubeProxyConfig(access.clusterCIDR, this.plan, f));
    writeFileSync(f.clientCA, access.clientCAPem);
    const kc = { clusterName: access.name, server: access.url, caPem: access.servingCAPem };
    writeKubeconfig(f.kubeletKubeconfig, {
      ...kc,
      userName: `system:node:${this.name}`,
      credential: access.kubeletCert(this.name),
    });
    writeKubeconfig(f.kubeProxyKubeconfig, {
      ...kc,
      userName: 'system:kube-proxy',
      credential: access.kubeProxy,
    });
  }

  // startMountNamespace starts the process that holds the node's mount namespace, once the
  // node's folders are bound at NODE_PATHS in it (unshare execs in place: the pid is the holder's).
  // The top folders of those paths (/etc, /opt, /run) are overlays in it whose upper layers are
  // the node's, so the mount points are made there and the host gains no folder.
  private async startMountNamespace(): Promise<void> {
    const f = this.files;
    const binds = [
      [f.cniConfDir, NODE_PATHS.cniConfDir],
      [f.cniBinDir, NODE_PATHS.cniBinDir],
      [f.runDir, NODE_PATHS.runDir],
    ];
    const tops = [...new Set(binds.map(([, target]) => `/${target!.split('/')[1]}`))];
    const script = [
      'set -e',
      'base="$1"; shift',
      `for top in ${tops.join(' ')}; do`,
      '  d="$base$top"; mkdir -p "$d/upper" "$d/work"',
      '  mount -t overlay overlay -o "lowerdir=$top,upperdir=$d/upper,workdir=$d/work" "$top"',
      'done',
      'while [ $# -gt 0 ]; do mkdir -p "$2"; mount --bind "$1" "$2"; shift 2; done',
      'echo mounted',
      'exec sleep infinity',
    ].join('\n');
    const holder = ['unshare', '--mount', '--propagation', 'slave', '--', 'sh', '-c', script, 'sh'];
    const args = [...holder.slice(1), join(f.dir, 'overlays'), ...binds.flat()];
    this.mounts = this.spawn('mounts', holder[0]!, args, false);
    const log = this.mounts.logFile;
    await this.wait(
      'mount namespace',
      async () => readFileSync(log, 'utf8').includes('mounted'),
      this.mounts,
      10_000,
    );
  }

  private spawn(what: string, bin: string, args: string[], inMounts = true): Managed {
    const script = 'echo $$ > "$0/cgroup.procs" && exec "$@"';
    const ns = [`--net=/run/netns/${this.plan.netns}`];
    if (inMounts) ns.push(`--mount=/proc/${this.mounts!.child.pid}/ns/mnt`);
    return startProcess(
      `${what} (${this.name})`,
      'nsenter',
      [...ns, '--', 'sh', '-c', script, this.ctx.daemonsCgroup, bin, ...args],
      join(this.files.dir, `${what}.log`),
    );
  }

  private async wait(
    what: string,
    check: () => Promise<boolean>,
    p: Managed,
    timeoutMs: number,
  ): Promise<void> {
    await waitFor(`${this.name}: ${what}`, check, { timeoutMs, intervalMs: 200, process: p }).catch(
      (err: Error) => {
        throw new Error(`${err.message}\n--- ${p.name} log (${p.logFile}) ---\n${logTail(p)}`);
      },
    );
  }
}
