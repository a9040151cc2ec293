// exec.ts: runs iproute2 and nft for the reconciler, in the current network namespace or in a
// named one (tests), and counts the processes it spawns (the reconciler's cost is a constant number
// of them per reconcile, never one per entry).
import { spawn } from 'node:child_process';

/** CommandError is a failed command with its stderr. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`${command}: ${stderr.trim() || `exit ${code}`}`);
    this.name = 'CommandError';
  }
}

/** Runner runs the dataplane's commands. */
export class Runner {
  /** spawned counts the processes started so far. */
  spawned = 0;

  /** netns, when set, names the network namespace commands act in (`ip -n`, `ip netns exec`). */
  constructor(readonly netns?: string) {}

  /** ip runs `ip [-n NS] ARGS`, feeding input on stdin, and returns stdout. */
  ip(args: string[], input?: string): Promise<string> {
    return this.run('ip', [...this.nsArgs(), ...args], input);
  }

  /** bridge runs `bridge [-n NS] ARGS`. */
  bridge(args: string[], input?: string): Promise<string> {
    return this.run('bridge', [...this.nsArgs(), ...args], input);
  }

  /** nft runs nft in the namespace (nft has no -n: through `ip netns exec`). */
  nft(args: string[], input?: string): Promise<string> {
    if (!this.netns) return this.run('nft', args, input);
    return this.run('ip', ['netns', 'exec', this.netns, 'nft', ...args], input);
  }

  /** conntrack runs conntrack in the namespace (no -n either: through `ip netns exec`). */
  conntrack(args: string[], input?: string): Promise<string> {
    if (!this.netns) return this.run('conntrack', args, input);
    return this.run('ip', ['netns', 'exec', this.netns, 'conntrack', ...args], input);
  }

  /** ipJSON runs `ip -j ARGS` and parses the output; an absent object gives []. */
  async ipJSON<T>(args: string[]): Promise<T[]> {
    return parseList<T>(await this.ip(['-j', ...args]));
  }

  private nsArgs(): string[] {
    return this.netns ? ['-n', this.netns] : [];
  }

  /** run spawns cmd and resolves with stdout when it exits 0. */
  run(cmd: string, args: string[], input?: string): Promise<string> {
    this.spawned++;
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      child.once('error', reject);
      child.once('close', (code) => {
        const stdout = Buffer.concat(out).toString();
        if (code === 0) resolve(stdout);
        else reject(new CommandError(`${cmd} ${args.join(' ')}`, code, Buffer.concat(err).toString()));
      });
      child.stdin.on('error', () => undefined); // a command that exits early closes its stdin
      child.stdin.end(input ?? '');
    });
  }
}

/** parseList parses JSON output of `ip -j`/`bridge -j` (empty output is an empty list). */
export function parseList<T>(text: string): T[] {
  const t = text.trim();
  if (t === '') return [];
  const v = JSON.parse(t) as unknown;
  return Array.isArray(v) ? (v as T[]) : [];
}
