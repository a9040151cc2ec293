// main.ts: `npm run demo [-- run|up|down|status]`, a local fedmesh mesh of real control planes.
//   run (default)  start in the foreground; Ctrl-C stops everything
//   up             start detached; returns when ready and prints the kubeconfig paths
//   down           stop a detached (or foreground) demo and remove its files
//   status         say what runs
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLogger } from '../../apiserver/log.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { FEDMESH_CNI, startAgents, type Agents } from '../harness/nodes/agents.js';
import { nodesUnavailable } from '../harness/nodes/prerequisites.js';
import { startLocalFedmesh, type LocalFedmesh } from '../harness/fedmesh.js';
import { processIO, run as mesh } from '../../kubectl-plugin/main.js';
import { controlPlaneStep, nodePackagesStep, runStep, StoppedError, type Step } from './build.js';
import { down, status, up } from './detached.js';
import { printReady } from './ready.js';
import { clearState, demoDir, hasLeftovers, runningState, writeState, type DemoState } from './state.js';

const CLUSTERS = ['cluster-a', 'cluster-b'];
/** VNI of the demo's VXLAN overlay between the clusters' real nodes. */
const VNI = 4242;
const log = (msg: string): void => console.error(`demo: ${msg}`);

/** run prepares what the mesh needs, starts it and keeps it until SIGINT or SIGTERM. */
async function run(): Promise<number> {
  const running = runningState();
  if (running) {
    log(`a demo is already running (pid ${running.pid}); stop it with: npm run demo -- down`);
    return 1;
  }
  if (hasLeftovers()) clearState(CLUSTERS);
  // Signals are handled here, not by the harness, so the files are cleared after the stop.
  const stopRequested = new Promise<void>((resolve) => {
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => resolve());
  });
  const state: DemoState = {
    pid: process.pid,
    phase: 'preparing',
    startedAt: new Date().toISOString(),
    clusters: [],
  };
  writeState(state);
  const noNodes = nodesUnavailable();
  try {
    await prepare(state, stopRequested, noNodes === undefined);
  } catch (err) {
    clearState(CLUSTERS);
    if (err instanceof StoppedError) {
      log(`${err.message}; nothing left running`);
      return 0;
    }
    writeState({ ...state, error: (err as Error).message });
    log(`failed: ${(err as Error).message}`);
    return 1;
  }
  writeState({ ...state, phase: 'starting' });
  if (noNodes) log(`API-only mode (sample pods without containers): ${noNodes} to get real nodes`);
  const mesh = await startMesh(state, noNodes === undefined);
  if (!mesh) return 1;
  const clusters = readyState(mesh.cp, state, mesh.agents);
  printReady(clusters, mesh.cp.nodes !== undefined);
  await stopRequested;
  log('stopping');
  writeState({ ...state, phase: 'stopping', clusters });
  await mesh.agents?.stop();
  await Promise.allSettled(mesh.servers.map((s) => s.stop()));
  await mesh.cp.stop();
  clearState(CLUSTERS);
  log('stopped; nothing left running');
  return 0;
}

/**
 * prepare builds the control-plane binaries (unless $FEDMESH_CONTROLPLANE_BIN names them) and,
 * for real nodes, installs the packages they need; each step is recorded so down can stop it.
 */
async function prepare(state: DemoState, stop: Promise<void>, realNodes: boolean): Promise<void> {
  const step = (s: Step): Promise<string> =>
    runStep(s, {
      log,
      stop,
      started: (pgid) => writeState({ ...state, build: { pgid, what: s.what } }),
    });
  if (!process.env.FEDMESH_CONTROLPLANE_BIN)
    process.env.FEDMESH_CONTROLPLANE_BIN = (await step(controlPlaneStep())).split('\n').pop();
  const packages = realNodes ? nodePackagesStep() : undefined;
  if (packages) await step(packages);
  writeState(state);
}

/** startMesh starts the clusters (with real nodes when it can), fedmesh in local mode and the sample workloads. */
async function startMesh(
  state: DemoState,
  realNodes: boolean,
): Promise<{ cp: ControlPlane; servers: LocalFedmesh[]; agents?: Agents } | undefined> {
  log(
    `starting ${CLUSTERS.length} clusters (etcd + kube-apiserver each` +
      (realNodes
        ? ', 2 real nodes each: containerd, kubelet, kube-proxy; about 30-60 s)'
        : '; about 10-30 s)'),
  );
  let cp: ControlPlane | undefined;
  const servers: LocalFedmesh[] = [];
  let agents: Agents | undefined;
  try {
    cp = await startControlPlane({
      clusters: CLUSTERS,
      controllerManager: true,
      dir: join(demoDir(), 'controlplane'),
      handleSignals: false,
      // Pods are routed within each cluster; between clusters fedmesh's overlay carries them.
      nodes: realNodes ? { perCluster: 2, podRoutes: 'cluster', cniBinaries: FEDMESH_CNI() } : undefined,
    });
    for (const c of cp.clusters.values()) {
      log(`${c.name}: installing fedmesh-apiserver (local mode)`);
      servers.push(await startLocalFedmesh(c, jsonLogger('warn')));
    }
    if (cp.nodes) {
      log(`starting fedmesh-node and chaining fedmesh-cni on every node (VXLAN overlay, VNI ${VNI})`);
      const kubeconfigOf = (name: string): string => cp!.cluster(name).kubeconfig;
      agents = await startAgents(cp.nodes, kubeconfigOf, cp.nodes.dir, VNI);
    }
    await meshDemo(
      [...cp.clusters.values()].map((c) => c.kubeconfig),
      cp.nodes?.images.workload.ref,
    );
    return { cp, servers, ...(agents ? { agents } : {}) };
  } catch (err) {
    writeState({ ...state, phase: 'starting', error: (err as Error).message });
    log(`failed to start: ${(err as Error).message}`);
    await agents?.stop();
    await Promise.allSettled(servers.map((s) => s.stop()));
    await cp?.stop();
    clearState(CLUSTERS);
    return undefined;
  }
}

/** readyState copies each cluster's kubeconfig beside the state and records the demo as ready with what runs. */
function readyState(cp: ControlPlane, state: DemoState, agents?: Agents): DemoState['clusters'] {
  const clusters = [...cp.clusters.values()].map((c) => {
    const kubeconfig = join(demoDir(), `${c.name}.kubeconfig`);
    copyFileSync(c.kubeconfig, kubeconfig);
    return { name: c.name, url: c.url, kubeconfig };
  });
  const processes = [
    cp.etcd.process,
    ...[...cp.clusters.values()].flatMap((c) => [c.apiserver, c.controllerManager]),
    ...(cp.nodes?.nodes.flatMap((n) => n.processes()) ?? []),
    ...(agents?.processes ?? []),
  ]
    .filter((p) => p !== undefined)
    .map((p) => ({ name: p.name, pid: p.child.pid! }));
  const nodes = cp.nodes?.nodes.map((n) => ({ name: n.name, cluster: n.plan.cluster, ip: n.plan.ip })) ?? [];
  writeState({ ...state, phase: 'ready', clusters, processes, nodes, nodesDir: cp.nodes?.dir });
  return clusters;
}

/** meshDemo runs `kubectl mesh demo` in-process: sample workloads (real pods from image when given), then every cluster connected both ways. */
async function meshDemo(kubeconfigs: string[], image?: string): Promise<void> {
  const args = ['demo', '--contexts', CLUSTERS.join(','), ...(image ? ['--image', image] : [])];
  log(`kubectl mesh ${args.join(' ')}: sample workloads, then connecting both ways`);
  const saved = process.env.KUBECONFIG;
  process.env.KUBECONFIG = kubeconfigs.join(':'); // kubectl's merge of one context per cluster
  try {
    // The plugin ends with its own "Try:" for a merged KUBECONFIG, which the user's shell does not
    // have; the demo prints commands that work as printed instead (ready.ts), so that part is left out.
    let muted = false;
    const out = (s: string): void => {
      const lines = s.split(/(?<=\n)/).filter((l) => !(muted ||= / is ready\. Try:/.test(l)));
      process.stderr.write(lines.join('').replace(/^(?=.)/gm, 'demo: '));
    };
    const code = await mesh(args, {
      ...processIO(),
      stdout: out,
      stderr: out,
    });
    if (code !== 0) throw new Error(`kubectl mesh demo exited ${code}`);
  } finally {
    if (saved === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = saved;
  }
}

const commands: Record<string, () => Promise<number>> = {
  run,
  up: () => up(CLUSTERS, process.argv[1]!),
  down: () => down(CLUSTERS),
  status,
};
const cmd = process.argv[2] ?? 'run';
const fn = commands[cmd];
if (!fn) {
  console.error(`demo: unknown command "${cmd}"; use one of: ${Object.keys(commands).join(', ')}`);
  process.exitCode = 2;
} else {
  process.exitCode = await fn();
  // Everything the command started is stopped by now. A connection some client left open to a
  // server that is gone (a stopped kube-apiserver on a deleted underlay gets no reset) must not
  // keep the process waiting: say what was left, and exit.
  const left = process
    .getActiveResourcesInfo()
    .filter((r) => !['TTYWrap', 'Timeout', 'Immediate'].includes(r));
  if (left.length > 0) log(`exiting with handles still open: ${left.join(', ')}`);
  process.exit();
}
