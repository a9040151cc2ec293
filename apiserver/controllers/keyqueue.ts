// keyqueue.ts: the work queue of the controllers that reconcile by key: a key enqueued many times
// before it is handled is handled once; keys are handled in batches, each in its own event-loop
// turn, so a large backlog never holds the loop; a failed reconcile is logged and the rest go on.
/** KeyQueueOptions say how keys are handled. */
export interface KeyQueueOptions {
  reconcile: (key: string) => void;
  /** afterBatch runs after each batch (e.g. to start the writer). */
  afterBatch?: () => void;
  stopped: () => boolean;
  /** failed is told of a reconcile that threw. */
  failed: (key: string, err: unknown) => void;
  batch?: number;
}

/** KeyQueue deduplicates keys and drains them in batches. */
export class KeyQueue {
  readonly #keys = new Set<string>();
  #draining = false;

  constructor(private readonly o: KeyQueueOptions) {}

  /** add enqueues key (once, however often it is added before it is handled). */
  add(key: string): void {
    if (this.o.stopped()) return;
    this.#keys.add(key);
    if (!this.#draining) {
      this.#draining = true;
      setImmediate(() => this.#drain());
    }
  }

  #drain(): void {
    let n = 0;
    for (const key of this.#keys) {
      this.#keys.delete(key);
      try {
        this.o.reconcile(key);
      } catch (err) {
        this.o.failed(key, err);
      }
      if (++n >= (this.o.batch ?? 200)) break;
    }
    if (this.#keys.size && !this.o.stopped()) setImmediate(() => this.#drain());
    else this.#draining = false;
    this.o.afterBatch?.();
  }
}
