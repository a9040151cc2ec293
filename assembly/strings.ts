// strings.ts: the intern table shared by selectors and label sets. Labels and values cross the
// JS boundary once as strings and from then on as i32 ids, so matching compares integers.
import { Node, Op } from './ast';

const ids = new Map<string, i32>();
/** strings maps an id back to its string ('' for an id on the free list). */
export const strings = new Array<string>();
// Ids freed by a sweep (sweep.ts), handed out again before the table grows.
const freeIds = new Array<i32>();

/** intern returns the id of s, adding it on first sight. */
export function intern(s: string): i32 {
  if (ids.has(s)) return ids.get(s);
  let id: i32;
  if (freeIds.length > 0) {
    id = freeIds.pop();
    unchecked((strings[id] = s));
  } else {
    id = strings.length;
    strings.push(s);
  }
  ids.set(s, id);
  return id;
}

/** internedCount is how many strings are interned now. */
export function internedCount(): i32 {
  return strings.length - freeIds.length;
}

/** Marks has a byte per id, set for every id some holder keeps (sweep.ts). */
export type Marks = StaticArray<u8>;

/** newMarks returns marks for the ids of the table as it is now, none set. */
export function newMarks(): Marks {
  return new StaticArray<u8>(strings.length);
}

/** mark notes that id is held (negative ids stand for no string and are ignored). */
export function mark(m: Marks, id: i32): void {
  if (id >= 0 && id < m.length) unchecked((m[id] = 1));
}

/** markRange marks the ids in a[from, to). */
export function markRange(m: Marks, a: StaticArray<i32>, from: i32, to: i32): void {
  for (let i = from; i < to; i++) mark(m, unchecked(a[i]));
}

/** freeUnmarked drops every interned string whose id is not marked and returns those ids; they
 * are handed out again, so whatever still held one would read another string. */
export function freeUnmarked(m: Marks): Array<i32> {
  const out = new Array<i32>();
  for (let id = 0; id < m.length; id++) {
    if (unchecked(m[id]) != 0) continue;
    const s = unchecked(strings[id]);
    if (!ids.has(s) || ids.get(s) != id) continue; // already free: '' belongs to another id or none
    ids.delete(s);
    unchecked((strings[id] = ''));
    freeIds.push(id);
    out.push(id);
  }
  return out;
}

/** UNKNOWN is the id lookupId gives a string never interned: no label or value has it, so an
 * equality with it never holds and a key with it is missing on every endpoint. */
export const UNKNOWN: i32 = -2;

/** lookupId returns the id of s, or UNKNOWN, without adding s to the table. */
export function lookupId(s: string): i32 {
  return ids.has(s) ? ids.get(s) : UNKNOWN;
}

/** compile interns the labels and values of a tree so it can be evaluated against label ids. */
export function compile(n: Node): void {
  resolveTree(n, intern);
}

/** probe gives a tree the ids of its labels and values as they are now, interning nothing: a
 * string never seen is UNKNOWN, which matches as Calico would (no endpoint has that label or value). */
export function probe(n: Node): void {
  resolveTree(n, lookupId);
}

// resolveTree sets the ids of every leaf of n with resolve (intern or lookupId).
function resolveTree(n: Node, resolve: (s: string) => i32): void {
  const kids = n.kids;
  if (kids != null) {
    for (let i = 0; i < kids.length; i++) resolveTree(kids[i], resolve);
    return;
  }
  if (n.kind == Op.All || n.kind == Op.Global) return;
  n.keyId = resolve(n.key);
  // Only == and != compare a value id (programs keep the others' values as strings): interning the
  // value of has() or contains would keep a string no program holds.
  if (n.kind == Op.Eq || n.kind == Op.Ne) n.valueId = resolve(n.value);
  const vs = n.values;
  if (vs == null) return;
  const out = new StaticArray<i32>(vs.length);
  for (let i = 0; i < vs.length; i++) out[i] = resolve(vs[i]);
  sortI32(out);
  n.valueIds = out;
}

/** sortI32 sorts an i32 array in place: insertion sort for the short arrays of label sets, the
 * library sort (n log n) for long ones, so a set of thousands of values stays cheap. */
export function sortI32(a: StaticArray<i32>): void {
  if (a.length > SHORT) {
    a.sort();
    return;
  }
  for (let i = 1; i < a.length; i++) {
    const x = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > x) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = x;
  }
}

// Arrays up to this length sort by insertion (fastest for the usual handful of labels).
const SHORT: i32 = 16;

/** sortPairs copies count (key, value) pairs from flat at offset `at` and sorts them by key. */
export function sortPairs(flat: StaticArray<i32>, at: i32, count: i32): StaticArray<i32> {
  const out = new StaticArray<i32>(count * 2);
  sortPairsInto(out, 0, flat, at, count);
  return out;
}

/** sortPairsInto copies count pairs from flat at `at` into out at `to`, sorted by key. */
export function sortPairsInto(
  out: StaticArray<i32>,
  to: i32,
  flat: StaticArray<i32>,
  at: i32,
  count: i32,
): void {
  if (count > SHORT) {
    sortPairsLong(out, to, flat, at, count);
    return;
  }
  for (let i = 0; i < count; i++) {
    const k = flat[at + i * 2];
    const v = flat[at + i * 2 + 1];
    let j = i - 1;
    while (j >= 0 && out[to + j * 2] > k) {
      out[to + (j + 1) * 2] = out[to + j * 2];
      out[to + (j + 1) * 2 + 1] = out[to + j * 2 + 1];
      j--;
    }
    out[to + (j + 1) * 2] = k;
    out[to + (j + 1) * 2 + 1] = v;
  }
}

// sortPairsLong sorts many pairs in n log n: each pair packed into one i64 (key in the high word;
// ids are non-negative, so signed order is key order), sorted, and unpacked.
function sortPairsLong(out: StaticArray<i32>, to: i32, flat: StaticArray<i32>, at: i32, count: i32): void {
  const packed = new StaticArray<i64>(count);
  for (let i = 0; i < count; i++) {
    packed[i] = (i64(flat[at + i * 2]) << 32) | i64(u32(flat[at + i * 2 + 1]));
  }
  packed.sort();
  for (let i = 0; i < count; i++) {
    out[to + i * 2] = i32(packed[i] >> 32);
    out[to + i * 2 + 1] = i32(packed[i] & 0xffffffff);
  }
}

/** sortPairsInPlace sorts the first count (key, value) pairs of a by key (insertion sort for the
 * few labels of one endpoint, the library sort past SHORT). */
export function sortPairsInPlace(a: StaticArray<i32>, count: i32): void {
  if (count > SHORT) {
    const sorted = sortPairs(a, 0, count);
    memory.copy(changetype<usize>(a), changetype<usize>(sorted), (<usize>(count * 2)) << 2);
    return;
  }
  for (let i = 1; i < count; i++) {
    const k = unchecked(a[i * 2]);
    const v = unchecked(a[i * 2 + 1]);
    let j = i - 1;
    while (j >= 0 && unchecked(a[j * 2]) > k) {
      unchecked((a[(j + 1) * 2] = a[j * 2]));
      unchecked((a[(j + 1) * 2 + 1] = a[j * 2 + 1]));
      j--;
    }
    unchecked((a[(j + 1) * 2] = k));
    unchecked((a[(j + 1) * 2 + 1] = v));
  }
}
