// restrictions.ts: what a selector requires of a label (Calico's LabelRestrictions), used by the
// index to find candidate endpoints and candidate selectors instead of scanning everything.
import { Node, Op } from './ast';
import { compareCodePoints } from './chars';

/** Restriction is what a selector requires of one label; values null means any value. */
export class Restriction {
  present: bool = false;
  absent: bool = false;
  values: Array<string> | null = null;
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
    case Op.Contains:
    case Op.StartsWith:
    case Op.EndsWith:
      return one(n.key, true, false, null);
    case Op.Not: {
      const k = n.kids![0];
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

// andAll merges the branches: presence adds up, value sets intersect.
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
  else if (bv != null) {
    sharedOther = bv;
    a.values = av.filter((v: string, _i: i32, _a: Array<string>): bool => sharedOther.includes(v));
  }
  const vs = a.values;
  return (a.present && a.absent) || (vs != null && vs.length == 0);
}

// AssemblyScript has no closures: the filter above reads the other value set from here.
let sharedOther: Array<string> = [];

// orAll keeps a label only if every possible branch restricts it; value sets unite.
function orAll(kids: Array<Node>): Restrictions {
  const r = new Restrictions();
  let first = true;
  for (let i = 0; i < kids.length; i++) {
    const k = restrictionsOf(kids[i]);
    if (k.impossible) continue; // an impossible branch adds no matches
    if (first) {
      r.map = k.map;
      first = false;
      continue;
    }
    const keys = r.map.keys();
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j];
      if (!k.map.has(key)) r.map.delete(key);
      else if (!mergeOr(r.map.get(key), k.map.get(key))) r.map.delete(key);
    }
  }
  r.impossible = first; // every branch impossible
  return r;
}

// mergeOr folds b into a and reports whether anything is left to require.
function mergeOr(a: Restriction, b: Restriction): bool {
  a.present = a.present && b.present;
  a.absent = a.absent && b.absent;
  const av = a.values;
  const bv = b.values;
  if (av == null || bv == null) a.values = null;
  else {
    const u = av.concat(bv);
    u.sort((x: string, y: string): i32 => compareCodePoints(x, y));
    a.values = u.filter((v: string, i: i32, arr: Array<string>): bool => i == 0 || arr[i - 1] != v);
  }
  return a.present || a.absent;
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
