// watch-helper.ts: runs `kubectl ... -w` in the background and waits for lines to appear.
import { spawn } from 'node:child_process';
import { waitFor } from '../harness/wait.js';

/** RunningWatch is a background kubectl watch. */
export interface RunningWatch {
  /** waitFor resolves when the output matches re (searched from where the last match ended). */
  waitFor(re: RegExp, timeoutMs?: number): Promise<void>;
  output(): string;
  /** exited reports whether kubectl has ended on its own. */
  exited(): boolean;
  exitCode(): number | null;
  /** stop kills kubectl and returns what it printed on stderr. */
  stop(): Promise<string>;
}

/** startWatch starts `kubectl --kubeconfig K args...`. */
export function startWatch(kubeconfig: string, args: string[]): RunningWatch {
  const child = spawn('kubectl', [`--kubeconfig=${kubeconfig}`, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let consumed = 0;
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  return {
    output: () => out,
    exited: () => child.exitCode !== null || child.signalCode !== null,
    exitCode: () => child.exitCode,
    waitFor: async (re, timeoutMs = 20_000) => {
      await waitFor(
        `kubectl ${args.join(' ')} to print ${re}`,
        async () => {
          const m = re.exec(out.slice(consumed));
          if (m) consumed += m.index + m[0].length;
          return m !== null;
        },
        { timeoutMs },
      ).catch((e: Error) => {
        throw new Error(`${e.message}\n--- output ---\n${out}\n--- stderr ---\n${err}`);
      });
    },
    stop: async () => {
      child.kill();
      await exited;
      return err;
    },
  };
}
