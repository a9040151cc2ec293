// coalesce.ts: the write loop of the status writers (RemoteClusterConfiguration,
// MeshNetworkPolicy): the latest value per key is kept, and written by the leader only, at most
// once per interval; a write that fails is tried again at the next interval unless a newer value
// came meanwhile, and one whose object is gone (404) is dropped.
import type { Logger } from '../log.js';

/** CoalescingOptions say how a value is written and what to call it in logs. */
export interface CoalescingOptions<V> {
  write: (key: string, value: V) => Promise<void>;
  isLeader: () => boolean;
  log: Logger;
  /** what names the object in the retry log line, e.g. 'MeshNetworkPolicy status'. */
  what: string;
  intervalMs: number;
  /** concurrency is how many keys a pass writes at once (WRITE_CONCURRENCY when unset). */
  concurrency?: number;
}

/** WRITE_CONCURRENCY is how many objects a pass writes at once by default. */
export const WRITE_CONCURRENCY = 8;

/**
 * CoalescingWriter writes the latest value of each key, leader-gated and rate-limited. One pass
 * writes at a time: a pass over many keys can take longer than the interval, and a second pass
 * started meanwhile would write a key's newer value before the first pass reached its older one,
 * which it would then write over the newer (a status going back in time).
 */
export class CoalescingWriter<V> {
  readonly #pending = new Map<string, V>();
  #timer?: NodeJS.Timeout;
  #writing = false;
  #stopped = false;

  constructor(private readonly o: CoalescingOptions<V>) {}

  /** set records the latest value of key; it is written within the interval if leader. */
  set(key: string, value: V): void {
    if (this.#stopped) return;
    this.#pending.set(key, value);
    this.#schedule();
  }

  /** forget drops a key's pending value. */
  forget(key: string): void {
    this.#pending.delete(key);
  }

  /** stop cancels pending writes. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }

  // schedule arms the next pass, unless one is armed or under way (it arms the next when done).
  #schedule(): void {
    if (this.#writing || this.#stopped || !this.#pending.size) return;
    this.#timer ??= setTimeout(() => void this.#flush(), this.o.intervalMs).unref();
  }

  async #flush(): Promise<void> {
    this.#timer = undefined;
    if (!this.o.isLeader()) return this.#schedule();
    const batch = [...this.#pending];
    this.#pending.clear();
    this.#writing = true;
    // A few keys at a time: each write is a read and a write of the object, and one key after
    // another, 100 RemoteClusterConfigurations took half a minute to show their sync on a busy
    // control plane. Each key appears once in a pass, so its values still go out in order.
    let at = 0;
    const worker = async (): Promise<void> => {
      while (at < batch.length && !this.#stopped) {
        const [key, value] = batch[at++]!;
        await this.o.write(key, value).catch((err: unknown) => this.#failed(key, value, err));
      }
    };
    try {
      await Promise.all(Array.from({ length: this.o.concurrency ?? WRITE_CONCURRENCY }, worker));
    } finally {
      this.#writing = false;
      this.#schedule();
    }
  }

  // failed keeps a failed write's value for the next pass, unless a newer one came or the
  // object is gone (404).
  #failed(key: string, value: V, err: unknown): void {
    if ((err as { code?: number }).code === 404) return;
    this.o.log.debug(`writing ${this.o.what} failed; retrying`, {
      key,
      error: String((err as Error).message ?? err),
    });
    if (!this.#pending.has(key)) this.#pending.set(key, value);
  }
}
