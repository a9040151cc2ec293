// mesh-ipc.ts: what the processes of `npm run bench -- mesh` share: a high-resolution clock
// comparable between processes, how a client reaches a server, the request/reply plumbing of the
// child processes (proxies, load clients), and CPU and memory of any process read from /proc.
import { fork, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';

/** now is a high-resolution epoch time in milliseconds, comparable between processes on one machine. */
export const now = (): number => performance.timeOrigin + performance.now();

/** Target says how to reach one kube-apiserver (directly or through a proxy): a client certificate or a token. */
export interface Target {
  url: string;
  ca: string;
  cert?: string;
  key?: string;
  token?: string;
}

/** Child is a benchmark helper process (bench/mesh-NAME.ts) that answers one command at a time. */
export class Child<C extends { op: string }, R> {
  readonly #p: ChildProcess;
  #exit?: string;

  constructor(name: string) {
    // Compiled beside this file (dist/bench) or, run from source, loaded through tsx.
    this.#p = fork(new URL(`./mesh-${name}${extname(import.meta.url)}`, import.meta.url), {
      execArgv: import.meta.url.endsWith('.ts') ? ['--import', 'tsx'] : [],
    });
    this.#p.once('exit', (code, sig) => (this.#exit = `mesh-${name} exited (${sig ?? code})`));
  }

  get pid(): number {
    return this.#p.pid!;
  }

  /** ask sends a command and resolves with the reply; an error reply or the child's death rejects. */
  ask<T extends R>(c: C): Promise<T> {
    return new Promise((resolve, reject) => {
      if (this.#exit) return reject(new Error(this.#exit));
      const onExit = (): void => reject(new Error(`${c.op}: ${this.#exit ?? 'child exited'}`));
      this.#p.once('exit', onExit);
      this.#p.once('message', (r: T | { error: string }) => {
        this.#p.off('exit', onExit);
        if (r && typeof r === 'object' && 'error' in r) reject(new Error(`${c.op}: ${r.error}`));
        else resolve(r);
      });
      this.#p.send(c);
    });
  }

  /** kill ends the child (it holds no state that needs a clean stop). */
  kill(): void {
    if (!this.#exit) this.#p.kill('SIGKILL');
  }
}

/** serveCommands answers the parent's commands with handle, one at a time, errors as { error }. */
export function serveCommands<C>(handle: (c: C) => Promise<unknown>): void {
  if (!process.send) throw new Error('run by bench/mesh.ts as a child process');
  // An orphan has nothing left to serve.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (c: C) => {
    handle(c).then(
      (r) => process.send!(r),
      (err: unknown) => process.send!({ error: err instanceof Error ? err.message : String(err) }),
    );
  });
}

const ticksPerSecond = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** cpuSeconds is the user plus system CPU time a process has used (from /proc/PID/stat). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state, field 3.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / ticksPerSecond; // utime, stime: fields 14 and 15
}

/** rssBytes is a process's resident memory (VmRSS). */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** MiB formats bytes as mebibytes. */
export const MiB = (b: number): string => (b / 2 ** 20).toFixed(0);
