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
}

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
    try {
      for (const [key, value] of batch) {
        if (this.#stopped) return;
        await this.o.write(key, value).catch((err: unknown) => {
          if ((err as { code?: number }).code === 404) return;
          this.o.log.debug(`writing ${this.o.what} failed; retrying`, {
            key,
            error: String((err as Error).message ?? err),
          });
          if (!this.#pending.has(key)) this.#pending.set(key, value);
        });
      }
    } finally {
      this.#writing = false;
      this.#schedule();
    }
  }
}
