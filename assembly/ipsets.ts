// ipsets.ts: reference-counted IP sets with deltas (Calico's member reference counting: an address
// claimed by two matching endpoints stays until both stop matching).

/** IpSet counts, per address id, the matching endpoints that claim it. */
export class IpSet {
  refs: Map<i32, i32> = new Map();
  added: Set<i32> = new Set();
  removed: Set<i32> = new Set();

  /** addAll takes one reference on each address in addrs[from, to). */
  addAll(addrs: StaticArray<i32>, from: i32, to: i32): void {
    for (let i = from; i < to; i++) {
      const a = unchecked(addrs[i]);
      const n = this.refs.has(a) ? this.refs.get(a) : 0;
      this.refs.set(a, n + 1);
      if (n > 0) continue;
      // 0 -> 1: a member again; cancel a pending removal rather than report both.
      if (this.removed.has(a)) this.removed.delete(a);
      else this.added.add(a);
    }
  }

  /** removeAll drops one reference on each address in addrs[from, to). */
  removeAll(addrs: StaticArray<i32>, from: i32, to: i32): void {
    for (let i = from; i < to; i++) {
      const a = unchecked(addrs[i]);
      if (!this.refs.has(a)) continue;
      const n = this.refs.get(a) - 1;
      if (n > 0) {
        this.refs.set(a, n);
        continue;
      }
      this.refs.delete(a);
      if (this.added.has(a)) this.added.delete(a);
      else this.removed.add(a);
    }
  }

  /** members returns the member address ids. */
  members(): Int32Array {
    const keys = this.refs.keys();
    const out = new Int32Array(keys.length);
    for (let i = 0; i < keys.length; i++) out[i] = keys[i];
    return out;
  }

  /** drainDelta returns [added count, added ids..., removed ids...] and starts a new delta. */
  drainDelta(): Int32Array {
    const a = this.added.values();
    const r = this.removed.values();
    const out = new Int32Array(1 + a.length + r.length);
    out[0] = a.length;
    for (let i = 0; i < a.length; i++) out[1 + i] = a[i];
    for (let i = 0; i < r.length; i++) out[1 + a.length + i] = r[i];
    this.added.clear();
    this.removed.clear();
    return out;
  }
}
