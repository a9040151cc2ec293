// store.ts: an in-memory store of one kind of served object, with resourceVersions from a
// sequence shared by every kind, a bounded event history for watches, and each object serialized
// once per change (the text is reused by every list and every watcher; entry.ts).
import type { KObject } from '../types.js';
import type { TextCodec } from './codec.js';
import { newEntry, type Entry } from './entry.js';
import type { Revision } from './revision.js';
import { SortedKeys } from './sorted-keys.js';

export { Entry } from './entry.js';

/** StoreEvent is one change, as watchers see it. */
export interface StoreEvent<T extends KObject = KObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  entry: Entry<T>;
  /** The entry before this change (MODIFIED and DELETED), so watchers can tell selector transitions. */
  prev?: Entry<T>;
}

/** Change is an input to Store.apply: an object to upsert, or a key to delete. */
export type Change<T extends KObject = KObject> = { upsert: T } | { delete: string };

/** objectKey returns namespace/name for namespaced objects and name otherwise. */
export function objectKey(obj: KObject): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name}` : obj.metadata.name;
}

/** Store holds the current objects of one kind and the recent changes to them. */
export class Store<T extends KObject = KObject> {
  readonly #entries = new Map<string, Entry<T>>();
  readonly #keys = new SortedKeys();
  readonly #history: StoreEvent<T>[] = [];
  readonly #listeners = new Set<(events: StoreEvent<T>[]) => void>();
  /** The oldest resourceVersion the history can still replay from (exclusive). */
  #horizon: number;

  constructor(
    private readonly revision: Revision,
    private readonly historySize = 10_000,
    /** codec compacts the stored JSON of this kind's objects (codec.ts). */
    private readonly codec?: TextCodec,
  ) {
    this.#horizon = revision.current();
  }

  /** size is the number of stored objects. */
  get size(): number {
    return this.#entries.size;
  }

  /** get returns the entry under key. */
  get(key: string): Entry<T> | undefined {
    return this.#entries.get(key);
  }

  /** keysFrom iterates keys in namespace/name order, starting after `after` (exclusive). */
  keysFrom(after?: string, prefix?: string): IterableIterator<string> {
    return this.#keys.from(after, prefix);
  }

  /** countFrom counts the keys keysFrom(after, prefix) would yield, without visiting them. */
  countFrom(after?: string, prefix?: string): number {
    return this.#keys.countFrom(after, prefix);
  }

  /**
   * apply records changes in order; unchanged upserts are dropped, so no event is a no-op.
   * beforePublish runs with the events after they are recorded and before any subscriber sees them.
   */
  apply(changes: readonly Change<T>[], beforePublish?: (events: StoreEvent<T>[]) => void): StoreEvent<T>[] {
    const events: StoreEvent<T>[] = [];
    for (const c of changes) {
      const ev = 'upsert' in c ? this.#upsert(c.upsert) : this.#delete(c.delete);
      if (ev) events.push(ev);
    }
    if (events.length === 0) return events;
    for (const ev of events) this.#history.push(ev);
    // Trimmed in steps of a quarter of the history: removing the oldest event on every change moved
    // all 10,000 others each time (a tenth of a core at 1,000 changes/s). At most 25% more is kept.
    if (this.#history.length > this.historySize + (this.historySize >> 2)) {
      const dropped = this.#history.splice(0, this.#history.length - this.historySize);
      this.#horizon = dropped[dropped.length - 1]!.entry.rv;
    }
    beforePublish?.(events);
    for (const l of this.#listeners) l(events);
    return events;
  }

  #upsert(obj: T): StoreEvent<T> | undefined {
    const key = objectKey(obj);
    const old = this.#entries.get(key);
    // Unchanged means: serialized at the old version, the same text.
    if (old && this.#stored(withRV(obj, String(old.rv))) === old.stored) return undefined;
    const rv = this.revision.next();
    const entry = newEntry(key, rv, withRV(obj, String(rv)), this.codec);
    this.#entries.set(key, entry);
    if (!old) this.#keys.add(key);
    return old ? { type: 'MODIFIED', entry, prev: old } : { type: 'ADDED', entry };
  }

  #delete(key: string): StoreEvent<T> | undefined {
    const old = this.#entries.get(key);
    if (!old) return undefined;
    this.#entries.delete(key);
    this.#keys.delete(key);
    const rv = this.revision.next();
    return { type: 'DELETED', entry: newEntry(key, rv, withRV(old.obj, String(rv)), this.codec), prev: old };
  }

  #stored(obj: T): string {
    const json = JSON.stringify(obj);
    return this.codec ? this.codec.compact(json) : json;
  }

  /** since returns the events after rv, or 'expired' when the history no longer reaches back. */
  since(rv: number): StoreEvent<T>[] | 'expired' {
    if (rv < this.#horizon) return 'expired';
    let lo = 0;
    let hi = this.#history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#history[mid]!.entry.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.#history.slice(lo);
  }

  /** subscribe calls fn with every batch of events; returns the unsubscribe function. */
  subscribe(fn: (events: StoreEvent<T>[]) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** lastRV is the latest resourceVersion of the shared sequence (for bookmarks). */
  lastRV(): number {
    return this.revision.current();
  }

  /** watcherCount is the number of subscribers (for metrics). */
  get watcherCount(): number {
    return this.#listeners.size;
  }
}

function withRV<T extends KObject>(obj: T, rv: string): T {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: rv } };
}
