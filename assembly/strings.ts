// strings.ts: the intern table shared by selectors and label sets. Labels and values cross the
// JS boundary once as strings and from then on as i32 ids, so matching compares integers.
import { Node, Op } from './ast';

const ids = new Map<string, i32>();
/** strings maps an id back to its string. */
export const strings = new Array<string>();

/** intern returns the id of s, adding it on first sight. */
export function intern(s: string): i32 {
  if (ids.has(s)) return ids.get(s);
  const id = strings.length;
  strings.push(s);
  ids.set(s, id);
  return id;
}

/** compile interns the labels and values of a tree so it can be evaluated against label ids. */
export function compile(n: Node): void {
  const kids = n.kids;
  if (kids != null) {
    for (let i = 0; i < kids.length; i++) compile(kids[i]);
    return;
  }
  if (n.keyId >= 0 || n.kind == Op.All || n.kind == Op.Global) return;
  n.keyId = intern(n.key);
  n.valueId = intern(n.value);
  const vs = n.values;
  if (vs == null) return;
  const out = new StaticArray<i32>(vs.length);
  for (let i = 0; i < vs.length; i++) out[i] = intern(vs[i]);
  sortI32(out);
  n.valueIds = out;
}

/** sortI32 sorts a small i32 array in place (insertion sort: label sets are short). */
export function sortI32(a: StaticArray<i32>): void {
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

/** containsSorted reports whether the sorted array a holds x (binary search). */
export function containsSorted(a: StaticArray<i32>, x: i32): bool {
  let lo = 0;
  let hi = a.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = unchecked(a[mid]);
    if (v == x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** sortPairs copies count (key, value) pairs from flat at offset `at` and sorts them by key. */
export function sortPairs(flat: StaticArray<i32>, at: i32, count: i32): StaticArray<i32> {
  const out = new StaticArray<i32>(count * 2);
  for (let i = 0; i < count; i++) {
    const k = flat[at + i * 2];
    const v = flat[at + i * 2 + 1];
    let j = i - 1;
    while (j >= 0 && out[j * 2] > k) {
      out[(j + 1) * 2] = out[j * 2];
      out[(j + 1) * 2 + 1] = out[j * 2 + 1];
      j--;
    }
    out[(j + 1) * 2] = k;
    out[(j + 1) * 2 + 1] = v;
  }
  return out;
}
