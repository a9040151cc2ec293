// entry.ts: one stored version of an object, kept as its JSON text only. Lists and watch events
// reuse the text as is; the decoded object and derived forms (PartialObjectMetadata, ...) are made
// on demand and kept in a cache bounded by bytes, shared by every store, so memory per object is
// its text plus a few words whatever the number of objects, forms or readers.
import type { KObject } from '../types.js';

/** Entry is one stored version of an object: its key, resourceVersion and JSON text. */
export class Entry<T extends KObject = KObject> {
  constructor(
    readonly key: string,
    readonly rv: number,
    /** text is the object's JSON, reused by every list and watcher. */
    readonly text: string,
  ) {}

  /** obj is the decoded object; callers must not modify it (it is shared). */
  get obj(): T {
    return decodedCache.get(this, 'obj', () => JSON.parse(this.text) as T);
  }

  /** form returns a derived serialized form of this version (e.g. `pom/v1`), made once while cached. */
  form(name: string, make: (obj: T) => string): string {
    return decodedCache.get(this, name, () => make(this.obj));
  }
}

/** newEntry makes an entry whose decoded object is already at hand (no parse on first read). */
export function newEntry<T extends KObject>(key: string, rv: number, obj: T): Entry<T> {
  const e = new Entry<T>(key, rv, JSON.stringify(obj));
  decodedCache.put(e, 'obj', obj);
  return e;
}

interface Cached {
  values: Map<string, unknown>;
  bytes: number;
}

/** DecodedCache keeps recently used decoded objects and forms, least recently used out first. */
export class DecodedCache {
  readonly #items = new Map<object, Cached>();
  #bytes = 0;

  constructor(private readonly budgetBytes: number) {}

  /** get returns the cached value of name for e, making and caching it when absent. */
  get<V>(e: Entry<KObject>, name: string, make: () => V): V {
    const c = this.#items.get(e);
    if (c?.values.has(name)) {
      this.#items.delete(e);
      this.#items.set(e, c);
      return c.values.get(name) as V;
    }
    const v = make();
    this.put(e, name, v);
    return v;
  }

  /** put caches value under name for e. */
  put(e: Entry<KObject>, name: string, v: unknown): void {
    let c = this.#items.get(e);
    if (c) this.#items.delete(e);
    else c = { values: new Map(), bytes: 0 };
    // A decoded object costs about twice its text; a form costs its own length.
    const cost = typeof v === 'string' ? v.length : e.text.length * 2;
    c.values.set(name, v);
    c.bytes += cost;
    this.#bytes += cost;
    this.#items.set(e, c);
    for (const [k, old] of this.#items) {
      if (this.#bytes <= this.budgetBytes || k === e) break;
      this.#items.delete(k);
      this.#bytes -= old.bytes;
    }
  }

  /** bytes is the estimated size of what the cache holds. */
  get bytes(): number {
    return this.#bytes;
  }
}

/** decodedCache is shared by every store: 16 MiB of decoded objects and forms at most. */
export const decodedCache = new DecodedCache(16 << 20);
