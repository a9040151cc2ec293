// intset.ts: a set of non-negative i32 (endpoint, parent and selector slots). Small or sparse sets
// are one open-addressing table; a set dense in its range (a label value half the mesh carries, a
// selector matching 80k endpoints) becomes a bitmap, which is 8-32x smaller than the table and
// adds, deletes and tests members without probing (every probe of a 1M-member table was a cache
// miss). Either way it iterates without allocating (next()/at()), and it is one array for the
// collector to trace, not three objects.

import { noteAlloc } from './alloc';

const FREE: i32 = -1;
const GONE: i32 = -2; // tombstone: keeps probe chains intact after a delete
const NO_BITS = new StaticArray<u32>(0);
const MIN_BITMAP_WORDS = 64; // a set within 2,048 slots stays a table: bitmaps pay off at scale

/** IntSet is a set of non-negative integers: a linear-probing table, or a bitmap when dense. */
export class IntSet {
  slots: StaticArray<i32>;
  bits: StaticArray<u32> = NO_BITS; // bitmap mode when non-empty (slots is then empty)
  count: i32 = 0;
  used: i32 = 0; // table mode: members plus tombstones

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

  /** next returns the first position >= i holding a member, or -1; read the member with at().
   * Iterate with `for (let i = s.next(0); i >= 0; i = s.next(i + 1)) use(s.at(i))`. */
  next(i: i32): i32 {
    const bits = this.bits;
    if (bits.length > 0) {
      let w = i >>> 5;
      if (w >= bits.length) return -1;
      let word = unchecked(bits[w]) & ((<u32>-1) << ((<u32>i) & 31));
      while (word == 0) {
        if (++w >= bits.length) return -1;
        word = unchecked(bits[w]);
      }
      return (w << 5) | (<i32>ctz(word));
    }
    const slots = this.slots;
    for (let n = slots.length; i < n; i++) if (unchecked(slots[i]) >= 0) return i;
    return -1;
  }

  /** at returns the member at a position next() returned. */
  at(i: i32): i32 {
    return this.bits.length > 0 ? i : unchecked(this.slots[i]);
  }

  /** has reports whether x is a member. */
  has(x: i32): bool {
    const bits = this.bits;
    if (bits.length > 0) {
      const w = x >>> 5;
      return w < bits.length && (unchecked(bits[w]) & (1 << ((<u32>x) & 31))) != 0;
    }
    return this.find(x) >= 0;
  }

  // find returns the table position of x, or -1.
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
    if (this.bits.length > 0) return this.setBit(x);
    // One probe both looks for x and finds where it goes (the first tombstone, else the free end).
    const mask = this.slots.length - 1;
    let at = -1;
    let i = this.home(x);
    for (; ; i = (i + 1) & mask) {
      const v = unchecked(this.slots[i]);
      if (v == x) return false;
      if (v == FREE) break;
      if (v == GONE && at < 0) at = i;
    }
    if (at < 0) {
      if ((this.used + 1) * 2 > this.slots.length) {
        this.rehash();
        return this.add(x);
      }
      at = i;
      this.used++;
    }
    unchecked((this.slots[at] = x));
    this.count++;
    return true;
  }

  /** delete removes x and reports whether it was a member. */
  delete(x: i32): bool {
    const bits = this.bits;
    if (bits.length > 0) {
      const w = x >>> 5;
      const m: u32 = 1 << ((<u32>x) & 31);
      if (w >= bits.length || (unchecked(bits[w]) & m) == 0) return false;
      unchecked((bits[w] &= ~m));
      this.count--;
      // A bitmap left 1/256 full goes back to a table (amortised: it took many deletes).
      if (this.count * 8 < bits.length) this.toTable();
      return true;
    }
    const i = this.find(x);
    if (i < 0) return false;
    unchecked((this.slots[i] = GONE));
    this.count--;
    return true;
  }

  // setBit adds x in bitmap mode, growing the bitmap (or going back to a table if x is far out).
  private setBit(x: i32): bool {
    let bits = this.bits;
    const w = x >>> 5;
    if (w >= bits.length) {
      const words = max(w + 1, bits.length << 1);
      if (words > (this.count + 1) * 8) {
        this.toTable();
        return this.add(x);
      }
      const grown = new StaticArray<u32>(words);
      memory.copy(changetype<usize>(grown), changetype<usize>(bits), (<usize>bits.length) << 2);
      noteAlloc(bits.length);
      this.bits = bits = grown;
    }
    const m: u32 = 1 << ((<u32>x) & 31);
    if ((unchecked(bits[w]) & m) != 0) return false;
    unchecked((bits[w] |= m));
    this.count++;
    return true;
  }

  // rehash rebuilds the table without tombstones, doubling it if members fill half of it, or
  // turns the set into a bitmap when one would be no larger than the new table.
  private rehash(): void {
    const old = this.slots;
    noteAlloc(old.length);
    const cap = this.count * 4 >= old.length ? old.length << 1 : old.length;
    let top = -1;
    for (let i = 0; i < old.length; i++) top = max(top, unchecked(old[i]));
    const words = (top >>> 5) + 1;
    if (words >= MIN_BITMAP_WORDS && words <= cap) {
      const bits = new StaticArray<u32>(words);
      for (let i = 0; i < old.length; i++) {
        const v = unchecked(old[i]);
        if (v >= 0) unchecked((bits[v >>> 5] |= 1 << ((<u32>v) & 31)));
      }
      this.bits = bits;
      this.slots = IntSet.table(0);
      this.used = 0;
      return;
    }
    this.slots = IntSet.table(cap);
    this.count = 0;
    this.used = 0;
    for (let i = 0; i < old.length; i++) {
      const v = unchecked(old[i]);
      if (v >= 0) this.add(v);
    }
  }

  // toTable turns a bitmap back into a table sized for its members.
  private toTable(): void {
    const bits = this.bits;
    noteAlloc(bits.length);
    let cap = 4;
    while (cap < (this.count + 1) * 4) cap <<= 1;
    this.bits = NO_BITS;
    this.slots = IntSet.table(cap);
    this.count = 0;
    this.used = 0;
    for (let w = 0; w < bits.length; w++) {
      let word = unchecked(bits[w]);
      while (word != 0) {
        this.add((w << 5) | (<i32>ctz(word)));
        word &= word - 1;
      }
    }
  }
}
