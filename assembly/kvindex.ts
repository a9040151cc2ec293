// kvindex.ts: items indexed by label name then value (Calico's LabelNameValueIndex).
import { IntSet } from './intset';

/** KVIndex maps key id -> value id -> set of item slots. */
export class KVIndex {
  byKey: Map<i32, Map<i32, IntSet>> = new Map();

  /** add files item under (k, v). */
  add(k: i32, v: i32, item: i32): void {
    let vals: Map<i32, IntSet>;
    if (this.byKey.has(k)) vals = this.byKey.get(k);
    else {
      vals = new Map();
      this.byKey.set(k, vals);
    }
    if (!vals.has(v)) vals.set(v, new IntSet());
    vals.get(v).add(item);
  }

  /** remove takes item out of (k, v), dropping empty buckets so memory follows the data. */
  remove(k: i32, v: i32, item: i32): void {
    if (!this.byKey.has(k)) return;
    const vals = this.byKey.get(k);
    if (!vals.has(v)) return;
    const set = vals.get(v);
    set.delete(item);
    if (set.size > 0) return;
    vals.delete(v);
    if (vals.size == 0) this.byKey.delete(k);
  }

  /** addPairs files item under every (key, value) pair in pairs[from, to). */
  addPairs(pairs: StaticArray<i32>, from: i32, to: i32, item: i32): void {
    for (let i = from; i < to; i += 2) this.add(pairs[i], pairs[i + 1], item);
  }

  /** removePairs undoes addPairs. */
  removePairs(pairs: StaticArray<i32>, from: i32, to: i32, item: i32): void {
    for (let i = from; i < to; i += 2) this.remove(pairs[i], pairs[i + 1], item);
  }

  /** bucket returns the items with k == v, or null. */
  bucket(k: i32, v: i32): IntSet | null {
    if (!this.byKey.has(k)) return null;
    const vals = this.byKey.get(k);
    return vals.has(v) ? vals.get(v) : null;
  }

  /** buckets returns every value bucket of key k (items having label k), or null. */
  buckets(k: i32): Map<i32, IntSet> | null {
    return this.byKey.has(k) ? this.byKey.get(k) : null;
  }
}
