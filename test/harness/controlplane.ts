// controlplane.ts: starts N real Kubernetes control planes (one etcd, a kube-apiserver per
// cluster) for tests, benchmarks and the demo, and tears them down without leftovers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from './root.js';
import { Cluster } from './cluster.js';
import { startEtcd, type Etcd } from './etcd.js';
import { folderReaper, onInterrupt } from './process.js';
import { NodeSet, type NodesOptions } from './nodes/nodes.js';
import { nodePrerequisites } from './nodes/prerequisites.js';

/** ControlPlaneOptions configure startControlPlane. */
export interface ControlPlaneOptions {
  /** Cluster names (DNS labels); default ['cluster-a', 'cluster-b']. */
  clusters?: string[];
  /** Also run a kube-controller-manager per cluster (namespace, SA, GC controllers). */
  controllerManager?: boolean;
  /** More kube-controller-manager controllers (e.g. endpointslice-controller without real nodes). */
  extraControllers?: string[];
  /** More kube-apiserver flags for every cluster (e.g. a wider --service-cluster-ip-range). */
  apiserverArgs?: string[];
  /** Folder for state; default a new temporary folder, removed on stop. */
  dir?: string;
  /** Keep the state folder on stop (logs for debugging); also set by FEDMESH_KEEP_STATE=1. */
  keepState?: boolean;
  /** Stop on SIGINT, SIGTERM and SIGHUP, then re-raise the signal (default true). */
  handleSignals?: boolean;
  /** Real nodes per cluster (kubelet, containerd, kube-proxy; needs root); implies controllerManager. */
  nodes?: NodesOptions;
  /** More etcd flags (e.g. a larger --quota-backend-bytes for a million objects). */
  etcdArgs?: string[];
}

/** ControlPlane is a set of running clusters sharing one etcd. */
export interface ControlPlane {
  dir: string;
  etcd: Etcd;
  clusters: Map<string, Cluster>;
  /** The real nodes, when requested. */
  nodes?: NodeSet;
  /** cluster returns the named cluster or throws. */
  cluster(name: string): Cluster;
  /** stop ends every process and removes the state folder; safe to call twice. */
  stop(): Promise<void>;
}

/** controlPlaneBinDir returns the folder with kube-apiserver and etcd, building them if needed. */
export function controlPlaneBinDir(): string {
  const fromEnv = process.env.FEDMESH_CONTROLPLANE_BIN ?? process.env.KUBEBUILDER_ASSETS;
  if (fromEnv) return fromEnv;
  const out = execFileSync(join(packageRoot(), 'test/controlplane/build.sh'), {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return out.toString().trim();
}

/** startControlPlane starts etcd and the clusters (in parallel) and waits until all are ready. */
export async function startControlPlane(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const names = opts.clusters ?? ['cluster-a', 'cluster-b'];
  const binDir = controlPlaneBinDir();
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'fedmesh-cp-'));
  const keep = opts.keepState ?? process.env.FEDMESH_KEEP_STATE === '1';
  const clusters = new Map<string, Cluster>();
  let etcd: Etcd | undefined;
  let nodes: NodeSet | undefined;
  let stopped = false;

  // A crash (uncaught exception) skips stop(): the children die with their parent (parent-death
  // signal), and this synchronous exit hook still removes the folder.
  const removeOnExit = (): void => {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', removeOnExit);
  // SIGKILL runs no hook: a reaper outside this process removes the folder then.
  const endReaper = keep ? () => undefined : folderReaper(dir);
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.off('exit', removeOnExit);
    unregister();
    await nodes?.stop().catch((err: Error) => console.error(`fedmesh: node teardown: ${err.message}`));
    await Promise.allSettled([...clusters.values()].map((c) => c.stop()));
    await etcd?.stop();
    if (!keep) rmSync(dir, { recursive: true, force: true });
    endReaper();
  };
  const unregister = opts.handleSignals === false ? () => true : onInterrupt(stop);

  try {
    if (opts.nodes) nodes = await NodeSet.prepare(names, opts.nodes, await nodePrerequisites(binDir));
    etcd = await startEtcd(join(binDir, 'etcd'), dir, opts.etcdArgs);
    for (const name of names) {
      clusters.set(
        name,
        new Cluster({
          name,
          binDir,
          etcdUrl: etcd.url,
          dir: join(dir, name),
          controllerManager: opts.controllerManager || nodes !== undefined,
          extraControllers: opts.extraControllers,
          extraArgs: opts.apiserverArgs && (() => opts.apiserverArgs!),
          ...nodes?.clusterOptions(name),
        }),
      );
    }
    await Promise.all([...clusters.values()].map((c) => c.start()));
    await nodes?.start([...clusters.values()]);
  } catch (err) {
    await stop();
    throw err;
  }
  const cluster = (name: string): Cluster => {
    const c = clusters.get(name);
    if (!c) throw new Error(`no cluster named ${name}; have ${[...clusters.keys()].join(', ')}`);
    return c;
  };
  return { dir, etcd, clusters, nodes, cluster, stop };
}
