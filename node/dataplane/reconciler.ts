// reconciler.ts: brings the node's kernel to a desired state: observe (ip -j, bridge -j, nft -j),
// diff, apply with one `ip -batch`, one `bridge -batch` and one `nft -f` transaction at most. A
// state already in place costs only the observation: adopting after a restart changes nothing.
import { expand } from './desired.js';
import { diff, isEmpty, removal, type Changes } from './diff.js';
import type { Runner } from './exec.js';
import { observe } from './observe.js';
import type { Desired } from './types.js';

/** Outcome reports one reconcile. */
export interface Outcome {
  /** changes is the number of batch lines and nft transactions applied (0: nothing to do). */
  changes: number;
  /** routes, neighbours and fdb count fedmesh's entries once applied. */
  routes: number;
  neighbours: number;
  fdb: number;
  /** skipped are destinations left to routes fedmesh does not own. */
  skipped: string[];
  /** conflicts are keys claimed by two peers (the later one by name lost). */
  conflicts: string[];
  /** processes spawned by this reconcile. */
  processes: number;
}

/** Reconciler programs one node's kernel (the current netns, or the Runner's). */
export class Reconciler {
  constructor(private readonly run: Runner) {}

  /** reconcile applies the difference between d and the kernel; it throws if a command failed. */
  async reconcile(d: Desired): Promise<Outcome> {
    const before = this.run.spawned;
    const want = expand(d);
    const changes = diff(d.overlay, want, await observe(this.run));
    await this.apply(changes);
    return {
      changes: changes.ip.length + changes.bridge.length + (changes.nft ? 1 : 0),
      routes: want.routes.size - changes.skipped.length,
      neighbours: want.neighbours.size,
      fdb: want.fdb.size,
      skipped: changes.skipped,
      conflicts: want.conflicts,
      processes: this.run.spawned - before,
    };
  }

  /** remove deletes everything fedmesh owns (device, routes of its protocol, nft table). */
  async remove(): Promise<void> {
    await this.apply(removal(await observe(this.run)));
  }

  // apply runs every batch even if one fails (-force continues past a failing line), then throws.
  private async apply(c: Changes): Promise<void> {
    if (isEmpty(c)) return;
    const errors: unknown[] = [];
    const step = async (f: () => Promise<string>): Promise<void> => {
      await f().catch((err: unknown) => errors.push(err));
    };
    if (c.ip.length) await step(() => this.run.ip(['-force', '-batch', '-'], c.ip.join('\n') + '\n'));
    if (c.bridge.length)
      await step(() => this.run.bridge(['-force', '-batch', '-'], c.bridge.join('\n') + '\n'));
    if (c.nft) await step(() => this.run.nft(['-f', '-'], c.nft ?? ''));
    if (errors.length === 1) throw errors[0];
    if (errors.length) throw new AggregateError(errors, errors.map((e) => String(e)).join('; '));
  }
}
