// apply.ts: brings fedmesh's policy table to a desired state (render.ts) with one `nft -f`
// transaction per apply, then deletes the conntrack entries of flows that lost their allowance
// (conntrack.ts). The first apply (after a restart) reads the table and changes only what
// differs: a table already right is adopted as it is, so traffic never sees a gap. Later applies
// are computed from the previous desired state without listing the kernel (a 100k-member set takes
// seconds to list); `observe` forces a fresh reading, which repairs changes made by hand. Applies
// must not run concurrently.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandError, type Runner } from '../dataplane/exec.js';
import { listFlows, pairsToDelete } from './conntrack.js';
import { parseTable } from './observe.js';
import { plan, type Plan } from './plan.js';
import { EMPTY_VIEW, POLICY_TABLE, type PolicyTable, type TableView } from './table.js';

/** PolicyOutcome reports one apply. */
export interface PolicyOutcome extends Omit<Plan, 'nft'> {
  /** script is the nft transaction applied ('' when the table was already as desired). */
  script: string;
  /** observed says whether the table was read from the kernel first. */
  observed: boolean;
  /** replaced says whether the table had to be replaced whole (a change could not be applied). */
  replaced: boolean;
  /** processes spawned by this apply. */
  processes: number;
  /** conntrackMs is the time spent deleting flows, after the table was applied. */
  conntrackMs: number;
  /** conntrackError says why flows could not be deleted (the table was applied). */
  conntrackError?: string;
}

/** PolicyApplier programs the policy table of one node (the current netns, or the Runner's). */
export class PolicyApplier {
  private held?: { view: TableView; exists: boolean };

  constructor(private readonly run: Runner) {}

  /** apply makes the table equal to next. When the transaction fails, it reads the table and
   * tries again, and then replaces the whole table in one transaction (atomic: no gap for
   * traffic); it throws when that fails too. */
  async apply(next: PolicyTable, opts: { observe?: boolean } = {}): Promise<PolicyOutcome> {
    const before = this.run.spawned;
    let observed = !this.held || !!opts.observe;
    if (observed) this.held = await this.observe();
    let p = plan(next, this.held!.view, this.held!.exists);
    let script = p.nft.length ? p.nft.join('\n') + '\n' : '';
    let replaced = false;
    try {
      if (script) await this.run.nft(['-f', '-'], script);
    } catch (err) {
      this.held = undefined; // nothing was applied, but the table is not what was thought
      const attempts: string[] = [];
      if (!observed) {
        observed = true;
        this.held = await this.observe();
        p = plan(next, this.held.view, this.held.exists);
        attempts.push(p.nft.length ? p.nft.join('\n') + '\n' : '');
      }
      const whole = replaceScript(next);
      script = await this.retry([...attempts, whole], err);
      replaced = script === whole;
    }
    this.held = { view: next, exists: true };
    const { nft: _, ...rest } = p;
    const outcome: PolicyOutcome = { ...rest, script, observed, replaced, processes: 0, conntrackMs: 0 };
    if (p.conntrack.length) {
      const t = performance.now();
      await this.deleteFlows(p.conntrack).catch((err: unknown) => (outcome.conntrackError = String(err)));
      outcome.conntrackMs = performance.now() - t;
    }
    outcome.processes = this.run.spawned - before;
    return outcome;
  }

  // retry applies the first script that works ('' is a table already right), or throws.
  private async retry(scripts: string[], first: unknown): Promise<string> {
    let last = first;
    for (const s of scripts) {
      if (!s) return s;
      try {
        await this.run.nft(['-f', '-'], s);
        return s;
      } catch (err) {
        last = err;
      }
    }
    throw last;
  }

  // deleteFlows lists the connection table once, picks the flows matching the filters and deletes
  // them with one `conntrack -R FILE` (it cannot read a socket as stdin, which node gives a child).
  private async deleteFlows(filters: string[]): Promise<void> {
    const lines = pairsToDelete(await listFlows(this.run, filters), filters);
    if (!lines.length) return;
    const dir = await mkdtemp(join(tmpdir(), 'fedmesh-conntrack-'));
    try {
      const file = join(dir, 'delete');
      await writeFile(file, lines.join('\n') + '\n');
      await this.run.conntrack(['-R', file]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** remove deletes the policy table (uninstall); nothing else is touched. */
  async remove(): Promise<void> {
    this.held = undefined;
    const state = await this.observe();
    if (state.exists) await this.run.nft(['delete', 'table', 'inet', POLICY_TABLE]);
  }

  /** observe reads the table from the kernel (absent: an empty view). */
  async observe(): Promise<{ view: TableView; exists: boolean }> {
    try {
      const text = await this.run.nft(['-j', 'list', 'table', 'inet', POLICY_TABLE]);
      return { view: parseTable(text), exists: true };
    } catch (err) {
      if (err instanceof CommandError && /No such file or directory/.test(err.stderr))
        return { view: EMPTY_VIEW, exists: false };
      throw err;
    }
  }
}

// replaceScript replaces the table in one transaction (the first line makes the delete safe).
function replaceScript(next: PolicyTable): string {
  const full = plan(next, EMPTY_VIEW, false).nft;
  return [full[0], `delete table inet ${POLICY_TABLE}`, ...full].join('\n') + '\n';
}
