// scan.ts: adding and removing selectors. A new selector is evaluated only against candidate
// endpoints, found through the cheapest label it requires (own labels, or a parent's labels and
// then that parent's children); only a selector that requires nothing scans every endpoint.
import { Node } from './ast';
import { IntSet } from './intset';
import { IpSet } from './ipsets';
import { IndexedSel, LabelIndex, growRefs, insertSorted, removeSorted } from './labelindex';
import { Place, choosePlacement } from './placement';
import { Restrictions } from './restrictions';
import { intern } from './strings';
import { start } from './indexops';

const eps = new Array<i32>(); // scratch: candidate endpoint slots

/** addSelector files selector slot and reports every endpoint it starts matching. */
export function addSelector(ix: LabelIndex, slot: i32, tree: Node, r: Restrictions, wantIpSet: bool): void {
  growRefs(ix.sels, slot + 1);
  assert(ix.sels[slot] == null, 'selector slot in use');
  const pl = choosePlacement(r);
  const s = new IndexedSel(tree, pl);
  if (wantIpSet) s.ipset = new IpSet();
  ix.sels[slot] = s;
  ix.file(slot, pl, true);
  if (pl.place == Place.Impossible) return;
  collectEndpoints(ix, r, intern);
  for (let i = 0; i < eps.length; i++) {
    const e = unchecked(eps[i]);
    const ep = ix.endpoints[e]!;
    ix.subject(ep);
    if (!ix.matchesNow(s)) continue;
    ep.matches = insertSorted(ep.matches, slot);
    start(ix, slot, e, ep.addrs);
  }
}

/** removeSelector unfiles selector slot; every endpoint it matched stops matching. */
export function removeSelector(ix: LabelIndex, slot: i32): void {
  if (slot >= ix.sels.length) return;
  const s = ix.sels[slot];
  if (s == null) return;
  const members = s.matching;
  for (let i = 0; i < members.capacity(); i++) {
    const e = members.at(i);
    if (e < 0) continue;
    const ep = ix.endpoints[e]!;
    ep.matches = removeSorted(ep.matches, slot);
    ix.emit(0, slot, e);
  }
  ix.file(slot, s.placement, false);
  ix.sels[slot] = null;
}

/** Resolve maps a label or value to its id: intern() for selectors the index keeps, lookupId() for
 * one-off reviews (which must not grow the intern table). */
export type Resolve = (s: string) => i32;

/** collectEndpoints fills and returns the scratch list of candidates of the cheapest required
 * label, or of every endpoint; the list is reused by the next call. */
export function collectEndpoints(ix: LabelIndex, r: Restrictions, resolve: Resolve): Array<i32> {
  eps.length = 0;
  const keys = r.map.keys();
  let best = -1;
  let bestCost: i64 = i64(ix.liveEndpoints);
  for (let i = 0; i < keys.length; i++) {
    if (!r.map.get(keys[i]).present) continue;
    const cost = costOf(ix, resolve(keys[i]), valueIds(r, keys[i], resolve));
    if (cost < bestCost) {
      bestCost = cost;
      best = i;
    }
  }
  const stamp = ix.nextStamp();
  if (best < 0) {
    for (let e = 0; e < ix.endpoints.length; e++) if (ix.endpoints[e] != null) eps.push(e);
    return eps;
  }
  const k = resolve(keys[best]);
  const vs = valueIds(r, keys[best], resolve);
  visit(ix, k, vs, true, stamp);
  visit(ix, k, vs, false, stamp);
  return eps;
}

function valueIds(r: Restrictions, key: string, resolve: Resolve): Array<i32> | null {
  const vs = r.map.get(key).values;
  if (vs == null) return null;
  const out = new Array<i32>(vs.length);
  for (let i = 0; i < vs.length; i++) out[i] = resolve(vs[i]);
  return out;
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
    for (let j = 0; j < ps.capacity(); j++) {
      const p = ps.at(j);
      if (p >= 0) cost += ix.parents[p]!.children.size;
    }
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
    for (let j = 0; j < items.capacity(); j++) {
      const it = items.at(j);
      if (it < 0) continue;
      if (own) addEp(ix, it, stamp);
      else addChildren(ix, it, stamp);
    }
  }
}

function addChildren(ix: LabelIndex, parentSlot: i32, stamp: u32): void {
  const kids = ix.parents[parentSlot]!.children;
  for (let i = 0; i < kids.capacity(); i++) {
    const k = kids.at(i);
    if (k >= 0) addEp(ix, k, stamp);
  }
}

function addEp(ix: LabelIndex, e: i32, stamp: u32): void {
  if (unchecked(ix.epSeen[e]) == stamp) return;
  unchecked((ix.epSeen[e] = stamp));
  eps.push(e);
}
