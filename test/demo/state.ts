// state.ts: where the demo keeps its files (.fedmesh/demo) and how it records what runs.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../harness/root.js';

/** DemoState is what a running demo records in .fedmesh/demo/state.json. */
export interface DemoState {
  pid: number;
  /** preparing: building binaries or installing packages; starting: clusters and nodes start. */
  phase: 'preparing' | 'starting' | 'ready' | 'stopping';
  startedAt: string;
  clusters: { name: string; url: string; kubeconfig: string }[];
  /** Every process of the mesh (etcd, kube-apiservers, ...), so status and tests can check them. */
  processes?: { name: string; pid: number }[];
  /** Real nodes (empty in API-only mode). */
  nodes?: { name: string; cluster: string; ip: string }[];
  /** The real nodes' state folder (containerd roots, kubelet dirs, mounts under it). */
  nodesDir?: string;
  /** The process group of a running preparation step (a build), so down can stop it whole. */
  build?: { pgid: number; what: string };
  error?: string;
}

/** demoDir returns the demo's folder ($FEDMESH_DEMO_DIR, default .fedmesh/demo), creating it. */
export function demoDir(): string {
  const d = process.env.FEDMESH_DEMO_DIR ?? join(packageRoot(), '.fedmesh', 'demo');
  mkdirSync(d, { recursive: true });
  return d;
}

const stateFile = (): string => join(demoDir(), 'state.json');

/** readState returns the recorded state, or undefined when none is recorded. */
export function readState(): DemoState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(), 'utf8')) as DemoState;
  } catch {
    return undefined;
  }
}

/** writeState records s atomically (write, then rename), so readers never see half a file. */
export function writeState(s: DemoState): void {
  writeFileSync(stateFile() + '.tmp', JSON.stringify(s, null, 2) + '\n');
  renameSync(stateFile() + '.tmp', stateFile());
}

/** clearState removes the state file, the kubeconfigs and the control-plane folder. */
export function clearState(clusterNames: string[]): void {
  for (const n of clusterNames) rmSync(join(demoDir(), `${n}.kubeconfig`), { force: true });
  rmSync(stateFile(), { force: true });
  rmSync(join(demoDir(), 'controlplane'), { recursive: true, force: true });
}

/** alive reports whether a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** runningState returns the state of a demo whose process is still alive. */
export function runningState(): DemoState | undefined {
  const s = readState();
  return s && alive(s.pid) ? s : undefined;
}

/** logFile is where a detached demo writes its output. */
export const logFile = (): string => join(demoDir(), 'demo.log');

/** hasLeftovers reports whether a crashed demo left files behind. */
export const hasLeftovers = (): boolean =>
  existsSync(stateFile()) || existsSync(join(demoDir(), 'controlplane'));
