// intset.ts: a set of non-negative i32 (endpoint, parent and selector slots) in one open-addressing
// table. Unlike Set<i32> it iterates without allocating (capacity()/at()), which matters when a scan
// walks buckets of 100k endpoints, and it is one array for the collector to trace, not three objects.

const FREE: i32 = -1;
const GONE: i32 = -2; // tombstone: keeps probe chains intact after a delete

/** IntSet is a linear-probing hash set of non-negative integers. */
export class IntSet {
  slots: StaticArray<i32>;
  count: i32 = 0;
  used: i32 = 0; // members plus tombstones

  constructor(capacity: i32 = 4) {
    this.slots = IntSet.table(capacity);
  }

  private static table(capacity: i32): StaticArray<i32> {
    const t = new StaticArray<i32>(capacity);
    t.fill(FREE);
    return t;
  }

  // home is the first probe position of x (a murmur3 finaliser spreads dense slot numbers).
  private home(x: i32): i32 {
    let h = <u32>x;
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    h ^= h >>> 13;
    return <i32>(h & (<u32>(this.slots.length - 1)));
  }

  /** size is the number of members. */
  get size(): i32 {
    return this.count;
  }

  /** capacity is the number of table positions to walk with at(). */
  capacity(): i32 {
    return this.slots.length;
  }

  /** at returns the member at table position i, or a negative number for an empty position. */
  at(i: i32): i32 {
    return unchecked(this.slots[i]);
  }

  /** has reports whether x is a member. */
  has(x: i32): bool {
    return this.find(x) >= 0;
  }

  // find returns the position of x, or -1.
  private find(x: i32): i32 {
    const mask = this.slots.length - 1;
    for (let i = this.home(x); ; i = (i + 1) & mask) {
      const v = unchecked(this.slots[i]);
      if (v == x) return i;
      if (v == FREE) return -1;
    }
    return -1; // unreachable: the table always has a free position
  }

  /** add inserts x (x >= 0) and reports whether it was new. */
  add(x: i32): bool {
    if (this.has(x)) return false;
    if ((this.used + 1) * 4 > this.slots.length * 3) this.rehash();
    const mask = this.slots.length - 1;
    let i = this.home(x);
    while (unchecked(this.slots[i]) >= 0) i = (i + 1) & mask;
    if (unchecked(this.slots[i]) == FREE) this.used++;
    unchecked((this.slots[i] = x));
    this.count++;
    return true;
  }

  /** delete removes x and reports whether it was a member. */
  delete(x: i32): bool {
    const i = this.find(x);
    if (i < 0) return false;
    unchecked((this.slots[i] = GONE));
    this.count--;
    return true;
  }

  // rehash rebuilds the table without tombstones, doubling it if members fill half of it.
  private rehash(): void {
    const old = this.slots;
    const cap = this.count * 2 >= old.length ? old.length << 1 : old.length;
    this.slots = IntSet.table(cap);
    this.count = 0;
    this.used = 0;
    for (let i = 0; i < old.length; i++) {
      const v = unchecked(old[i]);
      if (v >= 0) this.add(v);
    }
  }
}
