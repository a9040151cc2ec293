// entry.ts: one stored version of an object, kept as its JSON text only (compacted when its store
// has a codec). Lists and watch events reuse the text; the decoded object and derived forms
// (PartialObjectMetadata, ...) are made on demand and kept in a cache bounded by bytes, shared by
// every store, so memory per object is its text plus a few words whatever the number of objects,
// forms or readers.
import type { KObject } from '../types.js';
import type { TextCodec } from './codec.js';

/** Entry is one stored version of an object: its key, resourceVersion and JSON text. */
export class Entry<T extends KObject = KObject> {
  constructor(
    readonly key: string,
    readonly rv: number,
    /** stored is the object's JSON as kept: compacted by codec when there is one. */
    readonly stored: string,
    readonly codec?: TextCodec,
  ) {}

  /** text is the object's JSON (expanded once while cached when the store compacts). */
  get text(): string {
    const codec = this.codec;
    if (!codec) return this.stored;
    return decodedCache.get(this, 'text', () => codec.expand(this.stored));
  }

  /** obj is the decoded object; callers must not modify it (it is shared). */
  get obj(): T {
    return decodedCache.get(
      this,
      'obj',
      () => JSON.parse(this.codec ? this.codec.expand(this.stored) : this.stored) as T,
    );
  }

  /** form returns a derived serialized form of this version (e.g. `pom/v1`), made once while cached. */
  form(name: string, make: (obj: T) => string): string {
    return decodedCache.get(this, name, () => make(this.obj));
  }
}

/** newEntry makes an entry whose decoded object is already at hand (no parse on first read). */
export function newEntry<T extends KObject>(key: string, rv: number, obj: T, codec?: TextCodec): Entry<T> {
  const json = JSON.stringify(obj);
  const e = new Entry<T>(key, rv, codec ? codec.compact(json) : json, codec);
  decodedCache.put(e, 'obj', obj);
  return e;
}

/** joinTexts returns the JSON texts of entries joined by commas, expanding compacted texts in one
 * pass (the entries of one list share their store's codec) without caching them. */
export function joinTexts(entries: readonly Entry[]): string {
  const codec = entries[0]?.codec;
  if (entries.some((e) => e.codec !== codec)) return entries.map((e) => e.text).join(',');
  const joined = entries.map((e) => e.stored).join(',');
  return codec ? codec.expand(joined) : joined;
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
    // A decoded object costs about twice its JSON; a form costs its own length.
    const cost = typeof v === 'string' ? v.length : e.stored.length * (e.codec ? 6 : 2);
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
