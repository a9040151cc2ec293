// scan.ts: adding and removing selectors. A new selector is evaluated only against candidate
// endpoints, found through the cheapest label it requires (own labels, or a parent's labels and
// then that parent's children); only a selector that requires nothing scans every endpoint.
import { Node, Op } from './ast';
import { IntSet } from './intset';
import { IpSet } from './ipsets';
import { EV_STOPPED, IndexedSel, LabelIndex, growRefs } from './labelindex';
import { Place, choosePlacement } from './placement';
import { Restrictions, acceptsValue } from './restrictions';
import { intern, strings } from './strings';
import { start } from './indexops';

const eps = new Array<i32>(); // scratch: candidate endpoint slots

/** addSelector files selector slot and reports every endpoint it starts matching. */
export function addSelector(
  ix: LabelIndex,
  slot: i32,
  tree: Node,
  code: StaticArray<i32>,
  needles: Array<string>,
  r: Restrictions,
  wantIpSet: bool,
): void {
  growRefs(ix.sels, slot + 1);
  assert(ix.sels[slot] == null, 'selector slot in use');
  if (!r.impossible) collectEndpoints(ix, r, intern);
  const pl = choosePlacement(r, r.impossible ? null : cheapestListed);
  const s = new IndexedSel(tree, code, needles, pl);
  if (wantIpSet) s.ipset = new IpSet();
  ix.sels[slot] = s;
  ix.file(slot, pl, true);
  if (pl.place == Place.Impossible) return;
  // A selector that is one test of the label its candidates were found by (app == "web", app in
  // {...}, has(app)) matches every candidate holding that label itself: no need to evaluate those.
  const exact = isLeafOn(tree, candidateKey) ? ownCandidates : 0;
  for (let i = 0; i < eps.length; i++) {
    const e = unchecked(eps[i]);
    const rec = ix.endpoints[e]!;
    if (i >= exact) {
      ix.subject(rec);
      if (!ix.matchesNow(s)) continue;
    }
    ix.noteMatch(e, slot);
    start(ix, slot, e, rec);
  }
}

// isLeafOn reports whether n is a has, == or in test of label id key.
function isLeafOn(n: Node, key: i32): bool {
  return key >= 0 && n.keyId == key && (n.kind == Op.Has || n.kind == Op.Eq || n.kind == Op.In);
}

/** removeSelector unfiles selector slot; every endpoint it matched stops matching. */
export function removeSelector(ix: LabelIndex, slot: i32): void {
  if (slot >= ix.sels.length) return;
  const s = ix.sels[slot];
  if (s == null) return;
  const members = s.matching;
  if (ix.recordEvents) {
    for (let i = members.next(0); i >= 0; i = members.next(i + 1)) ix.emit(EV_STOPPED, slot, members.at(i));
  }
  ix.file(slot, s.placement, false);
  ix.sels[slot] = null;
}

/** Resolve maps a label or value to its id: intern() for selectors the index keeps, lookupId() for
 * one-off reviews (which must not grow the intern table). */
export type Resolve = (s: string) => i32;

/** cheapestListed is the label, among those whose values a selector lists, that the last
 * collectEndpoints found the fewest endpoints through: filing the selector under it makes it a
 * candidate for the fewest endpoint changes. */
let cheapestListed: string | null = null;
/** candidateKey is the label id the last collectEndpoints found candidates by (-1: it scanned
 * everything), and ownCandidates how many of them (listed first) hold the label themselves rather
 * than through a parent. */
let candidateKey: i32 = -1;
let ownCandidates: i32 = 0;

/** collectEndpoints fills and returns the scratch list of candidates of the cheapest required
 * label, or of every endpoint; the list is reused by the next call. */
export function collectEndpoints(ix: LabelIndex, r: Restrictions, resolve: Resolve): Array<i32> {
  eps.length = 0;
  const keys = r.map.keys();
  let best = -1;
  let bestCost: i64 = i64(ix.liveEndpoints);
  let bestVs: Array<i32> | null = null;
  let listedCost = i64.MAX_VALUE;
  cheapestListed = null;
  for (let i = 0; i < keys.length; i++) {
    const x = r.map.get(keys[i]);
    if (!x.present) continue;
    const k = resolve(keys[i]);
    const vs = valueIds(ix, r, keys[i], k, resolve);
    const cost = costOf(ix, k, vs);
    if (cost < bestCost) {
      bestCost = cost;
      best = k;
      bestVs = vs;
    }
    if (x.values != null && cost < listedCost) {
      listedCost = cost;
      cheapestListed = keys[i];
    }
  }
  const stamp = ix.nextStamp();
  candidateKey = -1;
  ownCandidates = 0;
  if (bestCost == i64(ix.liveEndpoints)) {
    for (let e = 0; e < ix.endpoints.length; e++) if (ix.endpoints[e] != null) eps.push(e);
    return eps;
  }
  candidateKey = best;
  visit(ix, best, bestVs, true, stamp);
  ownCandidates = eps.length;
  visit(ix, best, bestVs, false, stamp);
  return eps;
}

// valueIds returns the ids of the values label key (id k) may have: those it lists, or, when its
// values are only tested (prefix, suffix, substring), those present in the index that pass the
// tests (a mesh has far fewer distinct values than endpoints); null means any value.
function valueIds(ix: LabelIndex, r: Restrictions, key: string, k: i32, resolve: Resolve): Array<i32> | null {
  const x = r.map.get(key);
  const vs = x.values;
  if (vs != null) {
    const out = new Array<i32>(vs.length);
    for (let i = 0; i < vs.length; i++) out[i] = resolve(vs[i]);
    return out;
  }
  const preds = x.preds;
  if (preds == null) return null;
  const out = new Array<i32>();
  const own = ix.epKV.buckets(k);
  passing(own, null, preds, out);
  passing(ix.parentKV.buckets(k), own, preds, out);
  return out;
}

// passing appends the values of buckets that pass preds, except those also in skip.
function passing(
  buckets: Map<i32, IntSet> | null,
  skip: Map<i32, IntSet> | null,
  preds: Array<Node>,
  out: Array<i32>,
): void {
  if (buckets == null) return;
  const vals = buckets.keys();
  for (let i = 0; i < vals.length; i++) {
    const v = unchecked(vals[i]);
    if ((skip == null || !skip.has(v)) && acceptsValue(preds, unchecked(strings[v]))) out.push(v);
  }
}

// costOf estimates the candidates reached through label k (values vs, or any value).
function costOf(ix: LabelIndex, k: i32, vs: Array<i32> | null): i64 {
  const buckets = ix.epKV.buckets(k);
  let cost: i64 = 0;
  if (buckets != null) {
    if (vs == null) {
      const vals = buckets.keys();
      for (let i = 0; i < vals.length; i++) cost += buckets.get(vals[i]).size;
    } else {
      for (let i = 0; i < vs.length; i++) if (buckets.has(vs[i])) cost += buckets.get(vs[i]).size;
    }
  }
  const pb = ix.parentKV.buckets(k);
  if (pb != null) cost += parentCost(ix, pb, vs);
  return cost;
}

function parentCost(ix: LabelIndex, pb: Map<i32, IntSet>, vs: Array<i32> | null): i64 {
  let cost: i64 = 0;
  const vals = vs == null ? pb.keys() : vs;
  for (let i = 0; i < vals.length; i++) {
    if (!pb.has(vals[i])) continue;
    const ps = pb.get(vals[i]);
    for (let j = ps.next(0); j >= 0; j = ps.next(j + 1)) cost += ix.parents[ps.at(j)]!.children.size;
  }
  return cost;
}

// visit adds endpoints having label k (own labels) or whose parents have it (ofParents false).
function visit(ix: LabelIndex, k: i32, vs: Array<i32> | null, own: bool, stamp: u32): void {
  const buckets = own ? ix.epKV.buckets(k) : ix.parentKV.buckets(k);
  if (buckets == null) return;
  const vals = vs == null ? buckets.keys() : vs;
  for (let i = 0; i < vals.length; i++) {
    if (!buckets.has(vals[i])) continue;
    const items = buckets.get(vals[i]);
    for (let j = items.next(0); j >= 0; j = items.next(j + 1)) {
      const it = items.at(j);
      if (own) addEp(ix, it, stamp);
      else addChildren(ix, it, stamp);
    }
  }
}

function addChildren(ix: LabelIndex, parentSlot: i32, stamp: u32): void {
  const kids = ix.parents[parentSlot]!.children;
  for (let i = kids.next(0); i >= 0; i = kids.next(i + 1)) addEp(ix, kids.at(i), stamp);
}

function addEp(ix: LabelIndex, e: i32, stamp: u32): void {
  if (unchecked(ix.epSeen[e]) == stamp) return;
  unchecked((ix.epSeen[e] = stamp));
  eps.push(e);
}
