// sorted-keys.ts: object keys (namespace/name or name) kept in namespace-then-name order, so lists
// are deterministic and pages resume after a key without sorting per request. The keys live in
// sorted chunks of bounded length: an insert or delete moves at most one chunk's worth of
// references, so a million keys arriving in any order cost O(n log n), not O(n²).

const SLASH = 47;
const MAX_CHUNK = 1024;

/** compareKeys orders keys by namespace, then name: the separator sorts below every character, so
 * namespace "a" comes before "a-b". It allocates nothing. */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return (x === SLASH ? 0 : x) - (y === SLASH ? 0 : y);
  }
  return a.length - b.length;
}

/** inRange reports whether key comes after `after` (when given) and starts with prefix (when given). */
export function inRange(key: string, after?: string, prefix?: string): boolean {
  if (prefix !== undefined && !key.startsWith(prefix)) return false;
  return after === undefined || compareKeys(key, after) > 0;
}

// lowerBound is the first index of a sorted array whose key is not below key.
function lowerBound(arr: readonly string[], key: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(arr[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** SortedKeys is a sorted set of keys with ordered iteration from a position. */
export class SortedKeys {
  readonly #chunks: string[][] = [];
  #size = 0;

  /** size is the number of keys. */
  get size(): number {
    return this.#size;
  }

  // chunkFor is the chunk that holds key, or where it belongs: the first whose last key is not
  // below it (the last chunk for a key above every other).
  #chunkFor(key: string): number {
    let lo = 0;
    let hi = this.#chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = this.#chunks[mid]!;
      if (compareKeys(c[c.length - 1]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** add inserts key (no-op when present). */
  add(key: string): void {
    if (this.#chunks.length === 0) {
      this.#chunks.push([key]);
      this.#size = 1;
      return;
    }
    const ci = this.#chunkFor(key);
    const chunk = this.#chunks[ci]!;
    const i = lowerBound(chunk, key);
    if (chunk[i] === key) return;
    chunk.splice(i, 0, key);
    this.#size++;
    if (chunk.length > MAX_CHUNK) this.#chunks.splice(ci + 1, 0, chunk.splice(MAX_CHUNK >>> 1));
  }

  /** delete removes key (no-op when absent). */
  delete(key: string): void {
    if (this.#chunks.length === 0) return;
    const ci = this.#chunkFor(key);
    const chunk = this.#chunks[ci]!;
    const i = lowerBound(chunk, key);
    if (chunk[i] !== key) return;
    chunk.splice(i, 1);
    this.#size--;
    if (chunk.length === 0) this.#chunks.splice(ci, 1);
  }

  // position is the chunk and index of the first key not below key.
  #position(key: string): [number, number] {
    if (this.#chunks.length === 0) return [0, 0];
    const ci = this.#chunkFor(key);
    return [ci, lowerBound(this.#chunks[ci]!, key)];
  }

  /** from yields keys after `after` (exclusive; from the start when undefined) that start with prefix. */
  *from(after?: string, prefix?: string): IterableIterator<string> {
    let start = after;
    if (prefix !== undefined && (after === undefined || compareKeys(after, prefix) < 0)) start = prefix;
    let [ci, i] = start === undefined ? [0, 0] : this.#position(start);
    for (; ci < this.#chunks.length; ci++, i = 0) {
      const chunk = this.#chunks[ci]!;
      for (; i < chunk.length; i++) {
        const key = chunk[i]!;
        if (key === after) continue;
        if (prefix !== undefined && !key.startsWith(prefix)) return;
        yield key;
      }
    }
  }

  /** countFrom counts the keys from(after, prefix) would yield, visiting chunks, not keys. */
  countFrom(after?: string, prefix?: string): number {
    let start = after;
    if (prefix !== undefined && (after === undefined || compareKeys(after, prefix) < 0)) start = prefix;
    let [ci, i] = start === undefined ? [0, 0] : this.#position(start);
    let n = 0;
    for (; ci < this.#chunks.length; ci++, i = 0) {
      const chunk = this.#chunks[ci]!;
      if (i < chunk.length && chunk[i] === after) i++;
      const last = chunk[chunk.length - 1]!;
      if (prefix === undefined || last.startsWith(prefix)) {
        n += chunk.length - i;
        continue;
      }
      while (i < chunk.length && chunk[i]!.startsWith(prefix)) {
        n++;
        i++;
      }
      return n;
    }
    return n;
  }
}
