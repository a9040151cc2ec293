// keywriter.ts: the write side of the controllers that reconcile by key (federated services, MCS).
// A reconcile leaves the operations its key needs; the writer sends them, the operations of one key
// in order and one key at a time, several keys at once (so the token bucket, not the round trip,
// sets the pace). A key whose write failed is held for its backoff, then handed back to the queue.
import type { KubeConfig } from '@kubernetes/client-node';
import { Backoff } from '../../core/backoff.js';
import type { Logger } from '../log.js';
import type { MeshStore } from '../mesh/meshstore.js';

/** WritingControllerOptions are what every controller that writes by key is configured with. */
export interface WritingControllerOptions {
  mesh: MeshStore;
  kubeConfig: KubeConfig;
  log: Logger;
  isLeader: () => boolean;
  /** writesPerSecond and burst are the token bucket of the controller's writes. */
  writesPerSecond?: number;
  burst?: number;
  /** resyncMs is how often every key is reconciled anyway (default 5 minutes). */
  resyncMs?: number;
  now?: () => Date;
}

/** Keys written at once, as kube-controller-manager's --concurrent-service-endpoint-syncs default. */
export const WRITE_CONCURRENCY = 5;

/** KeyWriterOptions say how operations are sent and what happens around them. */
export interface KeyWriterOptions<Op> {
  send: (key: string, op: Op) => Promise<void>;
  /** writable says whether writes may be sent now (leader, ready, not stopped). */
  writable: () => boolean;
  /** retry hands a key back to the work queue (its backoff is over, or its status should say why). */
  retry: (key: string) => void;
  /** failed is told of a failed write with its message and the wait before the next try. */
  failed: (key: string, message: string, retryInMs: number) => void;
  /** succeeded is told when every operation of a key was sent. */
  succeeded?: (key: string) => void;
  concurrency?: number;
}

/** KeyWriter sends each key's pending operations, several keys concurrently. */
export class KeyWriter<Op> {
  readonly #pending = new Map<string, Op[]>();
  readonly #busy = new Set<string>();
  readonly #backoff = new Map<string, Backoff>();
  readonly #holdUntil = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #workers = 0;

  constructor(private readonly o: KeyWriterOptions<Op>) {}

  /** set records what key needs written (nothing: forget it); a key in its backoff waits. */
  set(key: string, ops: Op[]): void {
    if (ops.length && (this.#holdUntil.get(key) ?? 0) <= Date.now()) this.#pending.set(key, ops);
    else this.#pending.delete(key);
  }

  /** pending is the number of keys waiting to be written. */
  get pending(): number {
    return this.#pending.size;
  }

  /** kick starts workers for the pending keys, up to the concurrency. */
  kick(): void {
    const max = this.o.concurrency ?? WRITE_CONCURRENCY;
    while (this.#workers < Math.min(max, this.#pending.size) && this.o.writable()) {
      this.#workers++;
      void this.#work().finally(() => {
        this.#workers--;
        if (this.#workers === 0 && this.#pending.size) this.kick();
      });
    }
  }

  /** stop cancels the backoff timers; writes under way finish on their own. */
  stop(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  // next takes the first pending key no other worker is writing.
  #next(): [string, Op[]] | undefined {
    for (const [key, ops] of this.#pending) {
      if (this.#busy.has(key)) continue;
      this.#pending.delete(key);
      return [key, ops];
    }
    return undefined;
  }

  async #work(): Promise<void> {
    while (this.o.writable()) {
      const item = this.#next();
      if (!item) return;
      const [key, ops] = item;
      this.#busy.add(key);
      try {
        for (const op of ops) await this.o.send(key, op);
        this.#backoff.get(key)?.reset();
        this.o.succeeded?.(key);
      } catch (err) {
        this.#failed(key, err);
      } finally {
        this.#busy.delete(key);
      }
    }
  }

  #failed(key: string, err: unknown): void {
    const msg = String((err as { body?: string }).body ?? (err as Error).message ?? err).slice(0, 300);
    let b = this.#backoff.get(key);
    if (!b) this.#backoff.set(key, (b = new Backoff({ initialMs: 500, maxMs: 30_000 })));
    const wait = b.next();
    this.#holdUntil.set(key, Date.now() + wait);
    this.#pending.delete(key);
    this.o.failed(key, msg, Math.round(wait));
    const t = setTimeout(() => {
      this.#timers.delete(t);
      this.#holdUntil.delete(key);
      this.o.retry(key);
    }, wait).unref();
    this.#timers.add(t);
  }
}
