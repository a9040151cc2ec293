// main.ts: `npm run demo [-- run|up|down|status]`, a local fedmesh mesh of real control planes.
//   run (default)  start in the foreground; Ctrl-C stops everything
//   up             start detached; returns when ready and prints the kubeconfig paths
//   down           stop a detached (or foreground) demo and remove its files
//   status         say what runs
import { spawn } from 'node:child_process';
import { copyFileSync, openSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { jsonLogger } from '../../apiserver/log.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { startLocalFedmesh, type LocalFedmesh } from '../harness/fedmesh.js';
import { packageRoot } from '../harness/root.js';
import { processIO, run as mesh } from '../../kubectl-plugin/main.js';
import {
  alive,
  clearState,
  demoDir,
  hasLeftovers,
  logFile,
  readState,
  runningState,
  writeState,
} from './state.js';

const CLUSTERS = ['cluster-a', 'cluster-b'];
const log = (msg: string): void => console.error(`demo: ${msg}`);

/** shown prints a path relative to the checkout when it lies inside it (as the README shows it). */
function shown(path: string): string {
  const rel = relative(packageRoot(), path);
  return rel.startsWith('..') ? path : rel;
}

/** run starts the mesh and keeps it until SIGINT or SIGTERM. */
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
  const state = {
    pid: process.pid,
    phase: 'starting' as const,
    startedAt: new Date().toISOString(),
    clusters: [],
  };
  writeState(state);
  log(`starting ${CLUSTERS.length} clusters (etcd + kube-apiserver each; about 10-30 s)`);
  let cp: ControlPlane | undefined;
  const servers: LocalFedmesh[] = [];
  try {
    cp = await startControlPlane({
      clusters: CLUSTERS,
      controllerManager: true,
      dir: join(demoDir(), 'controlplane'),
      handleSignals: false,
    });
    for (const c of cp.clusters.values()) {
      log(`${c.name}: installing fedmesh-apiserver (local mode)`);
      servers.push(await startLocalFedmesh(c, jsonLogger('warn')));
    }
    await meshDemo([...cp.clusters.values()].map((c) => c.kubeconfig));
  } catch (err) {
    writeState({ ...state, error: (err as Error).message });
    log(`failed to start: ${(err as Error).message}`);
    await Promise.allSettled(servers.map((s) => s.stop()));
    await cp?.stop();
    clearState(CLUSTERS);
    return 1;
  }
  const clusters = [...cp.clusters.values()].map((c) => {
    const kubeconfig = join(demoDir(), `${c.name}.kubeconfig`);
    copyFileSync(c.kubeconfig, kubeconfig);
    return { name: c.name, url: c.url, kubeconfig };
  });
  const processes = [
    cp.etcd.process,
    ...[...cp.clusters.values()].flatMap((c) => [c.apiserver, c.controllerManager]),
  ]
    .filter((p) => p !== undefined)
    .map((p) => ({ name: p.name, pid: p.child.pid! }));
  writeState({ ...state, phase: 'ready', clusters, processes });
  printReady(clusters);
  await stopRequested;
  log('stopping');
  writeState({ ...state, phase: 'stopping', clusters });
  await Promise.allSettled(servers.map((s) => s.stop()));
  await cp.stop();
  clearState(CLUSTERS);
  log('stopped; nothing left running');
  return 0;
}

/** meshDemo runs `kubectl mesh demo` in-process: sample workloads, then every cluster connected both ways. */
async function meshDemo(kubeconfigs: string[]): Promise<void> {
  log(`kubectl mesh demo --contexts ${CLUSTERS.join(',')}: sample workloads, then connecting both ways`);
  const saved = process.env.KUBECONFIG;
  process.env.KUBECONFIG = kubeconfigs.join(':'); // kubectl's merge of one context per cluster
  try {
    const out = (s: string): void => void process.stderr.write(s.replace(/^(?=.)/gm, 'demo: '));
    const code = await mesh(['demo', '--contexts', CLUSTERS.join(',')], {
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

function printReady(clusters: { name: string; kubeconfig: string }[]): void {
  console.log('fedmesh demo is ready.');
  for (const c of clusters) console.log(`  ${c.name}: ${shown(c.kubeconfig)}`);
  const first = shown(clusters[0]!.kubeconfig);
  console.log('Try:');
  console.log(`  kubectl --kubeconfig ${first} get federatedendpoints -A -o wide`);
  console.log(`  kubectl --kubeconfig ${first} get rcc                  # cluster-b connected and synced`);
  console.log(`  kubectl mesh status --kubeconfig ${first}`);
  console.log(`  kubectl mesh select --kubeconfig ${first} "app == 'db'" -n shop`);
  console.log(`  kubectl --kubeconfig ${first} get federatedhostendpoints`);
  console.log(`  kubectl --kubeconfig ${first} explain federatedendpoint.spec`);
}

/** up starts `run` detached and returns once it reports ready. */
async function up(): Promise<number> {
  const running = runningState();
  if (running?.phase === 'ready') {
    log(`already running (pid ${running.pid})`);
    printReady(running.clusters);
    return 0;
  }
  if (running) {
    log(`a demo is starting or stopping (pid ${running.pid}); try again, or run: npm run demo -- down`);
    return 1;
  }
  const out = openSync(logFile(), 'w');
  const child = spawn(process.execPath, [process.argv[1]!, 'run'], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  child.unref();
  log(`starting in the background (pid ${child.pid}, log ${shown(logFile())})`);
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    const s = readState();
    if (s && s.pid === child.pid && s.phase === 'ready') {
      printReady(s.clusters);
      return 0;
    }
    if (!alive(child.pid!)) break;
  }
  log('the demo did not become ready; its log ends with:');
  console.error(readFileSync(logFile(), 'utf8').split('\n').slice(-20).join('\n'));
  await down();
  return 1;
}

/** down stops a running demo and waits until everything is gone. */
async function down(): Promise<number> {
  const s = readState();
  if (!s || !alive(s.pid)) {
    if (hasLeftovers()) clearState(CLUSTERS);
    log('no demo is running');
    return 0;
  }
  log(`stopping the demo (pid ${s.pid})`);
  process.kill(s.pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (alive(s.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (alive(s.pid)) {
    log('the demo did not stop within 30 s; killing it (its processes die with it)');
    process.kill(s.pid, 'SIGKILL');
  }
  clearState(CLUSTERS);
  log('stopped; nothing left running');
  return 0;
}

/** status prints whether a demo runs and where its clusters are. */
async function status(): Promise<number> {
  const s = runningState();
  if (!s) {
    console.log('fedmesh demo: not running (start it with: npm run demo -- up)');
    return 0;
  }
  console.log(`fedmesh demo: ${s.phase} (pid ${s.pid}, since ${s.startedAt})`);
  for (const c of s.clusters) console.log(`  ${c.name}  ${c.url}  ${shown(c.kubeconfig)}`);
  for (const p of s.processes ?? [])
    console.log(`  ${p.name}: pid ${p.pid} ${alive(p.pid) ? 'running' : 'NOT RUNNING'}`);
  return 0;
}

const commands: Record<string, () => Promise<number>> = { run, up, down, status };
const cmd = process.argv[2] ?? 'run';
const fn = commands[cmd];
if (!fn) {
  console.error(`demo: unknown command "${cmd}"; use one of: ${Object.keys(commands).join(', ')}`);
  process.exitCode = 2;
} else {
  process.exitCode = await fn();
}
