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

/** CoalescingWriter writes the latest value of each key, leader-gated and rate-limited. */
export class CoalescingWriter<V> {
  readonly #pending = new Map<string, V>();
  #timer?: NodeJS.Timeout;

  constructor(private readonly o: CoalescingOptions<V>) {}

  /** set records the latest value of key; it is written within the interval if leader. */
  set(key: string, value: V): void {
    this.#pending.set(key, value);
    this.#timer ??= setTimeout(() => void this.#flush(), this.o.intervalMs).unref();
  }

  /** forget drops a key's pending value. */
  forget(key: string): void {
    this.#pending.delete(key);
  }

  /** stop cancels pending writes. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#pending.clear();
  }

  async #flush(): Promise<void> {
    this.#timer = undefined;
    if (!this.o.isLeader()) {
      if (this.#pending.size) this.#timer = setTimeout(() => void this.#flush(), this.o.intervalMs).unref();
      return;
    }
    const batch = [...this.#pending];
    this.#pending.clear();
    for (const [key, value] of batch)
      await this.o.write(key, value).catch((err: unknown) => {
        if ((err as { code?: number }).code === 404) return;
        this.o.log.debug(`writing ${this.o.what} failed; retrying`, {
          key,
          error: String((err as Error).message ?? err),
        });
        if (!this.#pending.has(key)) this.set(key, value);
      });
  }
}
