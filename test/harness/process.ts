// process.ts: child processes of the harness (etcd, kube-apiserver, kube-controller-manager).
// Every child is started under `setpriv --pdeathsig KILL`, so the kernel kills it if the process
// that started it dies, even by SIGKILL; SIGINT and SIGTERM run the registered cleanups first.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** Managed is a running child process with its log file. */
export interface Managed {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** exited resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<string>;
}

/** startProcess runs bin with args, logging stdout and stderr to logFile. */
export function startProcess(name: string, bin: string, args: string[], logFile: string): Managed {
  const fd = openSync(logFile, 'a');
  const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', bin, ...args], {
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? String(code)));
    child.once('error', (err) => resolve(`spawn error: ${err.message}`));
  });
  return { name, child, logFile, exited };
}

/** stopProcess sends SIGTERM, then SIGKILL after graceMs, and waits for the exit. */
export async function stopProcess(p: Managed, graceMs = 5000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

/** logTail returns the last lines of a process log, for error messages. */
export function logTail(p: Managed, lines = 20): string {
  try {
    return readFileSync(p.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

type Cleanup = () => Promise<void>;
const cleanups = new Set<Cleanup>();
let handlersInstalled = false;

function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      void runCleanups().finally(() => process.kill(process.pid, sig));
    });
  }
}

/** onInterrupt registers a cleanup run on SIGINT, SIGTERM or SIGHUP; returns its unregister. */
export function onInterrupt(fn: Cleanup): () => void {
  installSignalHandlers();
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

async function runCleanups(): Promise<void> {
  const all = [...cleanups];
  cleanups.clear();
  await Promise.allSettled(all.map((fn) => fn()));
}

/** folderReaper removes dir if this process dies without doing so itself (SIGKILL included): a
 * detached shell waits for the end of a pipe only this process holds, then removes the folder.
 * The returned function ends the reaper (after a normal stop has removed the folder). */
export function folderReaper(dir: string): () => void {
  const child = spawn('sh', ['-c', 'read -r _; rm -rf -- "$1"', 'fedmesh-folder-reaper', dir], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.once('error', (err) => console.error(`fedmesh: folder reaper for ${dir}: ${err.message}`));
  child.unref();
  (child.stdin as unknown as { unref(): void }).unref();
  return () => {
    try {
      if (child.pid) process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
}
