// sorted-keys.ts: object keys (namespace/name or name) kept in namespace-then-name order, so lists
// are deterministic and pages resume after a key without sorting per request.

// Compare with the separator as the lowest character, so namespace "a" sorts before "a-b".
const sortable = (k: string): string => k.replace('/', '\u0000');

/** compareKeys orders keys as SortedKeys does (namespace, then name). */
export function compareKeys(a: string, b: string): number {
  const x = sortable(a);
  const y = sortable(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** inRange reports whether key comes after `after` (when given) and starts with prefix (when given). */
export function inRange(key: string, after?: string, prefix?: string): boolean {
  if (prefix !== undefined && !key.startsWith(prefix)) return false;
  return after === undefined || compareKeys(key, after) > 0;
}

/** SortedKeys is a sorted set of keys with ordered iteration from a position. */
export class SortedKeys {
  readonly #keys: string[] = [];
  readonly #sortable: string[] = [];

  /** size is the number of keys. */
  get size(): number {
    return this.#keys.length;
  }

  #search(s: string): number {
    let lo = 0;
    let hi = this.#sortable.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#sortable[mid]! < s) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** add inserts key (no-op when present). */
  add(key: string): void {
    const s = sortable(key);
    const i = this.#search(s);
    if (this.#sortable[i] === s) return;
    this.#keys.splice(i, 0, key);
    this.#sortable.splice(i, 0, s);
  }

  /** delete removes key (no-op when absent). */
  delete(key: string): void {
    const s = sortable(key);
    const i = this.#search(s);
    if (this.#sortable[i] !== s) return;
    this.#keys.splice(i, 1);
    this.#sortable.splice(i, 1);
  }

  /** from yields keys after `after` (exclusive; from the start when undefined) that start with prefix. */
  *from(after?: string, prefix?: string): IterableIterator<string> {
    let i = 0;
    if (after !== undefined) {
      const s = sortable(after);
      i = this.#search(s);
      if (this.#sortable[i] === s) i++;
    }
    const sp = prefix === undefined ? undefined : sortable(prefix);
    if (sp !== undefined && (after === undefined || sortable(after) < sp)) i = Math.max(i, this.#search(sp));
    for (; i < this.#keys.length; i++) {
      if (sp !== undefined && !this.#sortable[i]!.startsWith(sp)) return;
      yield this.#keys[i]!;
    }
  }
}
