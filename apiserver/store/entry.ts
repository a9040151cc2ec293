// entry.ts: one stored version of an object, kept as its JSON text only (compacted when its store
// has a codec). Lists and watch events reuse the text; the decoded object and derived forms
// (PartialObjectMetadata, ...) are made on demand and kept in a cache bounded by bytes, shared by
// every store, so memory per object is its text plus a few words whatever the number of objects,
// forms or readers.
import type { KObject } from '../types.js';
import type { ExpandOptions, TextCodec } from './codec.js';

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
    return decodedCache.get(this, 'obj', () => JSON.parse(this.#json()) as T);
  }

  /** peek returns the decoded object without caching it: for walks over many entries (lists),
   * which would otherwise push every recently used object out of the cache. */
  peek(): T {
    return (decodedCache.peek(this, 'obj') as T | undefined) ?? (JSON.parse(this.#json()) as T);
  }

  /** peekText returns the object's JSON without caching it. */
  peekText(): string {
    return (decodedCache.peek(this, 'text') as string | undefined) ?? this.#json();
  }

  #json(): string {
    return this.codec ? this.codec.expand(this.stored) : this.stored;
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

/** joinBytes is joinTexts as UTF-8; opts.starts (when given) receives where each entry's JSON
 * begins. With a codec, the bytes may be borrowed or cut after metadata (TextCodec.expandBytes). */
export function joinBytes(entries: readonly Entry[], opts: ExpandOptions = {}): Buffer {
  const codec = entries[0]?.codec;
  const { starts } = opts;
  if (codec && entries.every((e) => e.codec === codec))
    return codec.expandBytes(
      entries.map((e) => e.stored),
      opts,
    );
  const parts: Buffer[] = [];
  let at = 0;
  for (const e of entries) {
    if (parts.length > 0) {
      parts.push(COMMA);
      at++;
    }
    const b = Buffer.from(e.peekText(), 'utf8');
    starts?.push(at);
    parts.push(b);
    at += b.length;
  }
  return Buffer.concat(parts, at);
}

const COMMA = Buffer.from(',');

interface Cached {
  values: Record<string, unknown>;
  bytes: number;
}

/**
 * DecodedCache keeps recently used decoded objects and forms in two generations: new and used
 * values go to the young one; when it holds half the budget, it becomes the old one and the old
 * one is dropped whole. A value read from the old generation moves to the young one. Every step
 * is O(1), unlike evicting from the front of one insertion-ordered map, whose deleted slots every
 * later walk has to skip.
 */
export class DecodedCache {
  #young = new Map<object, Cached>();
  #old = new Map<object, Cached>();
  #youngBytes = 0;
  #oldBytes = 0;

  constructor(private readonly budgetBytes: number) {}

  /** get returns the cached value of name for e, making and caching it when absent. */
  get<V>(e: Entry<KObject>, name: string, make: () => V): V {
    const c = this.#young.get(e) ?? this.#promote(e);
    if (c && name in c.values) return c.values[name] as V;
    const v = make();
    this.put(e, name, v);
    return v;
  }

  /** put caches value under name for e. */
  put(e: Entry<KObject>, name: string, v: unknown): void {
    let c = this.#young.get(e) ?? this.#promote(e);
    if (!c) this.#young.set(e, (c = { values: Object.create(null) as Record<string, unknown>, bytes: 0 }));
    // A decoded object costs about twice its JSON; a form costs its own length.
    const cost = typeof v === 'string' ? v.length : e.stored.length * (e.codec ? 6 : 2);
    c.values[name] = v;
    c.bytes += cost;
    this.#youngBytes += cost;
    this.#rotateWhenFull();
  }

  #rotateWhenFull(): void {
    if (this.#youngBytes <= this.budgetBytes / 2) return;
    this.#old = this.#young;
    this.#oldBytes = this.#youngBytes;
    this.#young = new Map();
    this.#youngBytes = 0;
  }

  /** peek returns the cached value of name for e, if any, without making or moving anything. */
  peek(e: Entry<KObject>, name: string): unknown {
    return this.#young.get(e)?.values[name] ?? this.#old.get(e)?.values[name];
  }

  // promote moves e's values from the old generation to the young one.
  #promote(e: Entry<KObject>): Cached | undefined {
    const c = this.#old.get(e);
    if (!c) return undefined;
    this.#old.delete(e);
    this.#oldBytes -= c.bytes;
    this.#young.set(e, c);
    this.#youngBytes += c.bytes;
    this.#rotateWhenFull();
    return c;
  }

  /** bytes is the estimated size of what the cache holds. */
  get bytes(): number {
    return this.#youngBytes + this.#oldBytes;
  }
}

/** decodedCache is shared by every store: 16 MiB of decoded objects and forms at most. */
export const decodedCache = new DecodedCache(16 << 20);
