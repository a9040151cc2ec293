// build.ts: what the demo needs before any cluster starts: the control-plane binaries
// (test/controlplane/build.sh, about 10 minutes on 2 cores the first time) and, as root, the
// Debian packages of real nodes. Each runs as a process group of its own, so it can be stopped
// whole (go build and its compilers included), with its progress relayed line by line and a
// heartbeat while it compiles silently.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { packageRoot } from '../harness/root.js';

/** Step is one preparation step the demo runs before starting clusters. */
export interface Step {
  /** What the user reads ("building the control planes"). */
  what: string;
  script: string;
  args?: string[];
}

/** StepHooks tell the caller about a step's process group (to record and to stop it) and progress. */
export interface StepHooks {
  log: (line: string) => void;
  started: (pgid: number) => void;
  /** Resolves when the demo is asked to stop; the step's group is then killed. */
  stop: Promise<void>;
  heartbeatMs?: number;
}

/** StoppedError means the demo was asked to stop while a step ran. */
export class StoppedError extends Error {}

/** controlPlaneStep is build.sh, which prints the folder of the binaries on stdout. */
export const controlPlaneStep = (): Step => ({
  what: 'building the control-plane binaries',
  script: join(packageRoot(), 'test/controlplane/build.sh'),
});

/** nodePackagesStep installs the Debian packages of real nodes, or is undefined when they are there. */
export function nodePackagesStep(): Step | undefined {
  const script = join(packageRoot(), 'test/controlplane/node-packages.sh');
  if (spawnSync(script, ['--check'], { stdio: 'ignore' }).status === 0) return undefined;
  return { what: 'installing the packages real nodes need (containerd, runc, CNI plugins)', script };
}

/** runStep runs a step as its own process group and returns its stdout; throws saying what failed. */
export async function runStep(step: Step, hooks: StepHooks): Promise<string> {
  const started = Date.now();
  hooks.log(`${step.what}: started`);
  const child = spawn(step.script, step.args ?? [], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pgid = child.pid!;
  hooks.started(pgid);
  const killGroup = (): void => killProcessGroup(pgid);
  process.once('exit', killGroup); // a crashing demo leaves no build behind
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  createInterface({ input: child.stderr }).on('line', (l) => hooks.log(l));
  const heartbeat = startHeartbeat(step, pgid, started, hooks);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? code ?? 1));
    child.once('error', (err) => resolve(err.message));
  });
  const stopped = hooks.stop.then(() => 'stop' as const);
  try {
    const outcome = await Promise.race([exited, stopped]);
    if (outcome === 'stop') {
      killGroup();
      await exited;
      await groupGone(pgid);
      throw new StoppedError(`stopped while ${step.what}`);
    }
    if (outcome !== 0) throw new Error(`${step.what} failed (${step.script} exited ${outcome})`);
    hooks.log(`${step.what}: done in ${seconds(Date.now() - started)}`);
    return stdout.trim();
  } finally {
    clearInterval(heartbeat);
    process.off('exit', killGroup);
  }
}

// startHeartbeat logs, while the group works without printing, that it still uses CPU: the
// progress `npm run demo -- up` follows (a silent group that uses no CPU is stalled).
function startHeartbeat(step: Step, pgid: number, started: number, hooks: StepHooks): NodeJS.Timeout {
  let cpu = groupCpuSeconds(pgid);
  return setInterval(() => {
    const now = groupCpuSeconds(pgid);
    if (now > cpu)
      hooks.log(
        `${step.what}: ${seconds(Date.now() - started)} so far, ${Math.round(now - cpu)} CPU-s since last`,
      );
    cpu = now;
  }, hooks.heartbeatMs ?? 30_000);
}

/** killProcessGroup sends SIGKILL to every process of the group (quietly when it is gone). */
export function killProcessGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}

// groupGone waits until no process of the group is left: SIGKILL reaches the leader's children
// a moment after the leader itself is reaped, so the leader's exit alone does not prove the stop.
async function groupGone(pgid: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(pgid) && Date.now() < deadline) {
    killProcessGroup(pgid);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** groupAlive reports whether any process of the group still exists (zombies excluded). */
export const groupAlive = (pgid: number): boolean => groupProcesses(pgid).length > 0;

/** groupCpuSeconds sums the user and system CPU time of the group's processes. */
export function groupCpuSeconds(pgid: number): number {
  return groupProcesses(pgid).reduce((sum, f) => sum + (Number(f[11]) + Number(f[12])) / 100, 0);
}

// groupProcesses returns the /proc stat fields (after the command name) of the group's live processes.
function groupProcesses(pgid: number): string[][] {
  const out: string[][] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    // Fields after ") ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(f[2]) === pgid && f[0] !== 'Z') out.push(f);
  }
  return out;
}

const seconds = (ms: number): string =>
  ms < 60_000
    ? `${Math.round(ms / 1000)}s`
    : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
