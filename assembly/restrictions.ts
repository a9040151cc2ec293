// restrictions.ts: what a selector requires of a label (Calico's LabelRestrictions), used by the
// index to find candidate endpoints and candidate selectors instead of scanning everything.
import { Node, Op } from './ast';
import { compareCodePoints } from './chars';

/** Restriction is what a selector requires of one label; values null means any value. preds are
 * tests every value must pass (contains, starts with, ends with leaves), null for none. */
export class Restriction {
  present: bool = false;
  absent: bool = false;
  values: Array<string> | null = null;
  preds: Array<Node> | null = null;
}

/** Restrictions maps label names to restrictions; impossible means the selector never matches. */
export class Restrictions {
  impossible: bool = false;
  map: Map<string, Restriction> = new Map();
}

/** restrictionsOf computes the restrictions of a parsed selector. */
export function restrictionsOf(n: Node): Restrictions {
  const r = new Restrictions();
  switch (n.kind) {
    case Op.Eq:
      return one(n.key, true, false, [n.value]);
    case Op.In:
      return one(n.key, true, false, n.values!.slice(0));
    case Op.Has:
      return one(n.key, true, false, null);
    case Op.Contains:
    case Op.StartsWith:
    case Op.EndsWith: {
      const r1 = one(n.key, true, false, null);
      r1.map.get(n.key).preds = [n];
      return r1;
    }
    case Op.Not: {
      const k = n.kids![0];
      if ((n.negations & 1) == 0) return restrictionsOf(k);
      return k.kind == Op.Has ? one(k.key, false, true, null) : r;
    }
    case Op.And:
      return andAll(n.kids!);
    case Op.Or:
      return orAll(n.kids!);
  }
  return r; // !=, not in, all(), global(): no restriction
}

function one(key: string, present: bool, absent: bool, values: Array<string> | null): Restrictions {
  const r = new Restrictions();
  const x = new Restriction();
  x.present = present;
  x.absent = absent;
  x.values = values;
  r.map.set(key, x);
  r.impossible = values != null && values.length == 0; // `k in {}` never matches
  return r;
}

// andAll merges the branches: presence adds up, value sets intersect. Each merge costs the sizes
// of the two value sets (a hash set, never a scan per value), so an AND stays linear in its size.
function andAll(kids: Array<Node>): Restrictions {
  const r = new Restrictions();
  for (let i = 0; i < kids.length; i++) {
    const k = restrictionsOf(kids[i]);
    if (k.impossible) r.impossible = true;
    const keys = k.map.keys();
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j];
      const b = k.map.get(key);
      if (!r.map.has(key)) r.map.set(key, b);
      else if (mergeAnd(r.map.get(key), b)) r.impossible = true;
    }
  }
  return r;
}

// mergeAnd folds b into a and reports whether the combination cannot match.
function mergeAnd(a: Restriction, b: Restriction): bool {
  a.present = a.present || b.present;
  a.absent = a.absent || b.absent;
  const av = a.values;
  const bv = b.values;
  if (av == null) a.values = bv;
  else if (bv != null) a.values = intersect(av, bv);
  const ap = a.preds;
  const bp = b.preds;
  if (ap == null) a.preds = bp;
  else if (bp != null) a.preds = ap.concat(bp);
  const vs = a.values;
  return (a.present && a.absent) || (vs != null && vs.length == 0);
}

// intersect keeps the values of a (in a's order) that b also holds.
function intersect(a: Array<string>, b: Array<string>): Array<string> {
  const inB = new Set<string>();
  for (let i = 0; i < b.length; i++) inB.add(b[i]);
  const out = new Array<string>();
  for (let i = 0; i < a.length; i++) if (inB.has(a[i])) out.push(a[i]);
  return out;
}

// orAll keeps a label only if every possible branch restricts it; value sets unite. The union is
// gathered in one hash set per label and sorted once at the end: merging sorted arrays per branch
// cost the square of the alternatives (an 8,000-way OR took seconds).
function orAll(kids: Array<Node>): Restrictions {
  const r = new Restrictions();
  const unions = new Map<string, Set<string>>();
  let first = true;
  for (let i = 0; i < kids.length; i++) {
    const k = restrictionsOf(kids[i]);
    if (k.impossible) continue; // an impossible branch adds no matches
    if (first) {
      r.map = k.map;
      startUnions(r, unions);
      first = false;
      continue;
    }
    const keys = r.map.keys();
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j];
      if (!k.map.has(key) || !mergeOr(r.map.get(key), k.map.get(key), key, unions)) {
        r.map.delete(key);
        unions.delete(key);
      }
    }
  }
  finishUnions(r, unions);
  r.impossible = first; // every branch impossible
  return r;
}

// startUnions seeds a union set for every label of the first branch that lists values.
function startUnions(r: Restrictions, unions: Map<string, Set<string>>): void {
  const keys = r.map.keys();
  for (let j = 0; j < keys.length; j++) {
    const vs = r.map.get(keys[j]).values;
    if (vs == null) continue;
    const u = new Set<string>();
    for (let i = 0; i < vs.length; i++) u.add(vs[i]);
    unions.set(keys[j], u);
  }
}

// mergeOr folds b into a (values into the label's union set) and reports whether anything is
// left to require.
function mergeOr(a: Restriction, b: Restriction, key: string, unions: Map<string, Set<string>>): bool {
  a.present = a.present && b.present;
  a.absent = a.absent && b.absent;
  a.preds = null; // a value need pass only one branch's tests: keep just the presence
  const bv = b.values;
  if (bv == null || !unions.has(key)) {
    a.values = null;
    unions.delete(key);
  } else {
    const u = unions.get(key);
    for (let i = 0; i < bv.length; i++) u.add(bv[i]);
  }
  return a.present || a.absent;
}

// finishUnions turns each union set into the sorted value list (Go string order) of its label.
function finishUnions(r: Restrictions, unions: Map<string, Set<string>>): void {
  const keys = unions.keys();
  for (let j = 0; j < keys.length; j++) {
    const vs = unions.get(keys[j]).values();
    vs.sort((x: string, y: string): i32 => compareCodePoints(x, y));
    r.map.get(keys[j]).values = vs;
  }
}

/** acceptsValue reports whether value s passes every test in preds (see Restriction). */
export function acceptsValue(preds: Array<Node>, s: string): bool {
  for (let i = 0; i < preds.length; i++) {
    const n = unchecked(preds[i]);
    if (
      n.kind == Op.Contains
        ? !s.includes(n.value)
        : n.kind == Op.StartsWith
          ? !s.startsWith(n.value)
          : !s.endsWith(n.value)
    )
      return false;
  }
  return true;
}

/** restrictionsJSON renders restrictions as JSON (sorted by label) for tests and diagnostics. */
export function restrictionsJSON(r: Restrictions): string {
  const keys = r.map.keys();
  keys.sort((x: string, y: string): i32 => compareCodePoints(x, y));
  const parts = new Array<string>();
  for (let i = 0; i < keys.length; i++) {
    const x = r.map.get(keys[i]);
    let s = jsonString(keys[i]) + ':{"present":' + (x.present ? 'true' : 'false');
    s += ',"absent":' + (x.absent ? 'true' : 'false');
    const vs = x.values;
    if (vs != null) s += ',"values":[' + vs.map<string>((v: string): string => jsonString(v)).join(',') + ']';
    parts.push(s + '}');
  }
  return '{"impossible":' + (r.impossible ? 'true' : 'false') + ',"labels":{' + parts.join(',') + '}}';
}

/** jsonString quotes s as a JSON string. */
export function jsonString(s: string): string {
  const out = new Array<string>();
  out.push('"');
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 0x22) out.push('\\"');
    else if (c == 0x5c) out.push('\\\\');
    else if (c < 0x20) out.push('\\u00' + (c < 0x10 ? '0' : '') + c.toString(16));
    else out.push(String.fromCharCode(c));
  }
  out.push('"');
  return out.join('');
}
