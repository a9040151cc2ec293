// enforcer.ts: keeps the node's policy table in step with the policy model and the node's pods.
// Changes are debounced into one apply at a time; a periodic resync reads the table again and
// repairs what was changed by hand. Enforcement is gated on sync: while the source has no model
// (some cluster has not completed its initial sync), nothing is applied and the kernel keeps what
// it has, so a restart never programs a partial view. A caller that must not go on before its
// pod's policy is in place (fedmesh-cni's ADD) waits for the next apply, with a bounded wait.
import type { PolicyModel } from '../../api/policy.js';
import type { Runner } from '../dataplane/exec.js';
import { PolicyApplier, type PolicyOutcome } from './apply.js';
import { PolicyRenderer, type LocalPod } from './render.js';

/** PolicySource is where the node's policy model comes from (fedmesh-apiserver's watch). */
export interface PolicySource {
  /** model is the current model; undefined while any cluster has not synced (the gate). */
  model(): PolicyModel | undefined;
  /** waiting says what the gate waits for while model() is undefined. */
  waiting?(): string;
  /** localPods are this node's pods the source knows (so a restarted agent keeps their policy). */
  localPods?(): LocalPod[];
  /** subscribe calls onChange after each change; it returns the unsubscribe function. */
  subscribe(onChange: () => void): () => void;
  /** run and stop start and end the source's watches, with the enforcer. */
  run?(): void;
  stop?(): void;
}

/** EnforcerOptions configure a PolicyEnforcer. */
export interface EnforcerOptions {
  runner: Runner;
  source: PolicySource;
  /** pods are the pods registered on this node (fedmesh-cni), beside the source's. */
  pods: () => LocalPod[];
  log: (msg: string) => void;
  debounceMs?: number;
  resyncMs?: number;
  /** onStatus is called after every apply attempt (status says what it waits for or what failed). */
  onStatus?: () => void;
}

interface Waiter {
  generation: number;
  resolve: () => void;
}

/** PolicyEnforcer applies the policy of the node's pods. */
export class PolicyEnforcer {
  /** status says what enforcement waits for or what failed last ('' when applied). */
  status = 'starting';
  /** last is the outcome of the last apply. */
  last?: PolicyOutcome;
  private readonly applier: PolicyApplier;
  private readonly renderer = new PolicyRenderer();
  private generation = 0;
  private appliedGeneration = -1;
  private waiters: Waiter[] = [];
  private timer?: NodeJS.Timeout;
  private resync?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private observe = false;
  private unsubscribe?: () => void;

  constructor(private readonly o: EnforcerOptions) {
    this.applier = new PolicyApplier(o.runner);
  }

  /** start follows the source and resyncs periodically. */
  start(): void {
    this.unsubscribe = this.o.source.subscribe(() => this.changed());
    this.o.source.run?.();
    if (this.o.resyncMs) this.resync = setInterval(() => this.changed(true), this.o.resyncMs);
    this.changed();
  }

  /** stop ends the work; the table stays for the next agent to adopt. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.o.source.stop?.();
    clearTimeout(this.timer);
    clearInterval(this.resync);
    await this.running;
  }

  /** changed schedules an apply (observe: read the table first, to repair it). */
  changed(observe = false): void {
    this.generation++;
    this.observe ||= observe;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.running = this.apply().finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.changed();
        }
      });
    }, this.o.debounceMs ?? 50);
  }

  /** applied resolves once every change made so far is in the kernel; it rejects after timeoutMs
   * saying what enforcement waits for. */
  applied(timeoutMs: number): Promise<void> {
    const generation = this.generation;
    if (this.appliedGeneration >= generation) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w: Waiter = { generation, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`policy not applied within ${timeoutMs} ms: ${this.status || 'applying'}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  private async apply(): Promise<void> {
    const generation = this.generation;
    const model = this.o.source.model();
    if (!model) {
      this.status = `waiting for the policy model: ${this.o.source.waiting?.() ?? 'not synced'}`;
      this.o.onStatus?.();
      return;
    }
    const observe = this.observe;
    this.observe = false;
    try {
      const table = this.renderer.render(model, this.pods());
      this.last = await this.applier.apply(table, { observe });
      this.status = this.last.conntrackError ? `flows not cut: ${this.last.conntrackError}` : '';
      if (this.last.script) this.o.log(`policy applied: ${this.summary(this.last)}`);
      this.appliedGeneration = generation;
      const done = this.waiters.filter((w) => w.generation <= generation);
      this.waiters = this.waiters.filter((w) => w.generation > generation);
      for (const w of done) w.resolve();
    } catch (err) {
      this.status = `policy apply failed: ${(err as Error).message}`;
      this.o.log(this.status);
    }
    this.o.onStatus?.();
  }

  // pods are the registered pods and the source's, once each (by first address).
  private pods(): LocalPod[] {
    const byIP = new Map<string, LocalPod>();
    for (const p of [...this.o.pods(), ...(this.o.source.localPods?.() ?? [])])
      if (p.ips.length && !p.ips.some((ip) => byIP.has(ip))) for (const ip of p.ips) byIP.set(ip, p);
    return [...new Set(byIP.values())];
  }

  private summary(o: PolicyOutcome): string {
    return `+${o.elementsAdded}/-${o.elementsDeleted} set elements, ${o.chainsWritten.length} chains written, ${o.chainsDeleted.length} deleted, ${o.conntrack.length} flow filters`;
  }
}
