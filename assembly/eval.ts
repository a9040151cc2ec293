// eval.ts: the subject of evaluation, an endpoint's labels and its parents' labels, and lookup of a
// label in it (programs, program.ts, are evaluated against it). A label set is a StaticArray<i32> of
// (key id, value id) pairs sorted by key id.

/** EMPTY is the label set with no labels. */
export const EMPTY = new StaticArray<i32>(0);

// The endpoint being evaluated: its own labels (pairs in own[ownFrom, ownTo)), its parent ids in
// order (ids[idsFrom, idsTo)), and the table of parent label sets they index. Globals, not
// arguments, because every leaf of a selector reads them. Ranges, so that an index record holding
// an endpoint's labels, parents and addresses in one array (labelindex.ts) is evaluated in place.
// Parents are resolved lazily in lookup(): most selectors are answered by own labels, and at a
// million endpoints each pointer followed up front is a cache miss paid on every evaluation.
let own: StaticArray<i32> = EMPTY;
let ownFrom: i32 = 0;
let ownTo: i32 = 0;
let parentIds: StaticArray<i32> = EMPTY;
let idsFrom: i32 = 0;
let idsTo: i32 = 0;
let parentTable: Array<StaticArray<i32>> = [];

/** setSubject makes labels, parent ids and the parent label table what a program (program.ts) reads. */
export function setSubject(
  labels: StaticArray<i32>,
  ids: StaticArray<i32>,
  table: Array<StaticArray<i32>>,
): void {
  own = labels;
  ownFrom = 0;
  ownTo = labels.length;
  parentIds = ids;
  idsFrom = 0;
  idsTo = ids.length;
  parentTable = table;
}

/** setSubjectIn makes part of one array the subject: label pairs in rec[pairsFrom, parentsFrom),
 * parent ids in rec[parentsFrom, parentsTo); table holds the parents' label sets. */
export function setSubjectIn(
  rec: StaticArray<i32>,
  pairsFrom: i32,
  parentsFrom: i32,
  parentsTo: i32,
  table: Array<StaticArray<i32>>,
): void {
  own = rec;
  ownFrom = pairsFrom;
  ownTo = parentsFrom;
  parentIds = rec;
  idsFrom = parentsFrom;
  idsTo = parentsTo;
  parentTable = table;
}

/** findValue returns the value id of key in the pairs of pairs[from, to), or -1. */
export function findValue(pairs: StaticArray<i32>, from: i32, to: i32, key: i32): i32 {
  let lo = 0;
  let hi = ((to - from) >>> 1) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = unchecked(pairs[from + (mid << 1)]);
    if (k == key) return unchecked(pairs[from + (mid << 1) + 1]);
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** lookup returns the subject's value id for key: own labels shadow parents, parents in order. */
export function lookup(key: i32): i32 {
  const v = findValue(own, ownFrom, ownTo, key);
  if (v >= 0) return v;
  for (let i = idsFrom; i < idsTo; i++) {
    const t = parentTable[unchecked(parentIds[i])];
    const pv = findValue(t, 0, t.length, key);
    if (pv >= 0) return pv;
  }
  return -1;
}
