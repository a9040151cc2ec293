// eval.ts: evaluates a compiled selector against an endpoint's labels and its parents' labels.
// A label set is a StaticArray<i32> of (key id, value id) pairs sorted by key id.
import { Node, Op } from './ast';
import { containsSorted, strings } from './strings';

/** EMPTY is the label set with no labels. */
export const EMPTY = new StaticArray<i32>(0);

// The label sets of the endpoint being evaluated: its own, then its parents in order. Globals,
// not arguments, because every leaf of a selector reads them.
let own: StaticArray<i32> = EMPTY;
const parents = new Array<StaticArray<i32>>();

/** setSubject makes own (and parents, by setParent) the labels the next evaluations read. */
export function setSubject(labels: StaticArray<i32>, parentCount: i32): void {
  own = labels;
  // Shrink only by length; grow by push so no slot ever holds a stale word (see growRefs).
  if (parents.length > parentCount) parents.length = parentCount;
  while (parents.length < parentCount) parents.push(EMPTY);
}

/** setParent sets the i-th parent label set of the subject. */
export function setParent(i: i32, labels: StaticArray<i32>): void {
  unchecked((parents[i] = labels));
}

/** findValue returns the value id of key in the pair array, or -1. */
export function findValue(pairs: StaticArray<i32>, key: i32): i32 {
  let lo = 0;
  let hi = (pairs.length >>> 1) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const k = unchecked(pairs[mid << 1]);
    if (k == key) return unchecked(pairs[(mid << 1) + 1]);
    if (k < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** lookup returns the subject's value id for key: own labels shadow parents, parents in order. */
export function lookup(key: i32): i32 {
  const v = findValue(own, key);
  if (v >= 0) return v;
  for (let i = 0, n = parents.length; i < n; i++) {
    const pv = findValue(unchecked(parents[i]), key);
    if (pv >= 0) return pv;
  }
  return -1;
}

/** evaluate reports whether the compiled selector n matches the current subject. */
export function evaluate(n: Node): bool {
  switch (n.kind) {
    case Op.All:
    case Op.Global:
      return true;
    case Op.Not:
      return !evaluate(unchecked(n.kids![0]));
    case Op.And:
      return evalAnd(n.kids!);
    case Op.Or:
      return evalOr(n.kids!);
  }
  return evalLeaf(n, lookup(n.keyId));
}

function evalAnd(kids: Array<Node>): bool {
  for (let i = 0, k = kids.length; i < k; i++) if (!evaluate(unchecked(kids[i]))) return false;
  return true;
}

function evalOr(kids: Array<Node>): bool {
  for (let i = 0, k = kids.length; i < k; i++) if (evaluate(unchecked(kids[i]))) return true;
  return false;
}

// evalLeaf applies a comparison to the label's value id v (-1: missing, see selectors.md 2.3).
function evalLeaf(n: Node, v: i32): bool {
  switch (n.kind) {
    case Op.Has:
      return v >= 0;
    case Op.Eq:
      return v == n.valueId;
    case Op.Ne:
      return v != n.valueId;
    case Op.In:
      return v >= 0 && containsSorted(n.valueIds!, v);
    case Op.NotIn:
      return v < 0 || !containsSorted(n.valueIds!, v);
  }
  if (v < 0) return false;
  const s = unchecked(strings[v]);
  if (n.kind == Op.Contains) return s.includes(n.value);
  if (n.kind == Op.StartsWith) return s.startsWith(n.value);
  return s.endsWith(n.value);
}
