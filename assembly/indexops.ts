// indexops.ts: endpoint and parent updates of the label index. A changed endpoint is checked only
// against candidate selectors; a parent's change re-checks only its children.
import { EMPTY } from './eval';
import { IntSet } from './intset';
import { acceptsValue } from './restrictions';
import { strings } from './strings';
import { Endpoint, EV_STARTED, EV_STOPPED, IndexedSel, LabelIndex, growRefs } from './labelindex';

// Reused scratch array (the core is single-threaded): candidate selector slots.
const cands = new Array<i32>();

/** upsertEndpoint adds or replaces endpoint slot and reports the selectors it starts/stops matching.
 * No endpoint keeps a list of its matches: the selectors it may match are always among those filed
 * under its labels (and its parents'), and each selector's own set says whether it matches now. */
export function upsertEndpoint(
  ix: LabelIndex,
  slot: i32,
  labels: StaticArray<i32>,
  parents: StaticArray<i32>,
  addrs: StaticArray<i32>,
): void {
  growRefs(ix.endpoints, slot + 1);
  let ep = ix.endpoints[slot];
  const stamp = ix.nextStamp();
  cands.length = 0;
  if (ep == null) {
    ep = new Endpoint();
    ix.endpoints[slot] = ep;
    ix.liveEndpoints++;
    ep.labels = labels;
    ix.epKV.addPairs(labels, slot);
  } else {
    const sameIdentity = sameInts(ep.labels, labels) && sameInts(ep.parents, parents);
    if (sameIdentity && sameInts(ep.addrs, addrs)) return; // nothing a selector or IP set sees changed
    collectCandidates(ix, ep, stamp); // the selectors it may match now, by its old labels
    if (sameIdentity) {
      moveAllAddrs(ix, slot, ep, addrs);
      ep.addrs = addrs;
      return;
    }
    relabel(ix, slot, ep.labels, labels);
    ep.labels = labels;
  }
  const oldAddrs = ep.addrs;
  if (!sameInts(ep.parents, parents)) {
    linkParents(ix, slot, ep.parents, false);
    linkParents(ix, slot, parents, true);
  }
  ep.parents = parents;
  ep.addrs = addrs;
  collectCandidates(ix, ep, stamp);
  recompute(ix, slot, ep, oldAddrs);
}

// relabel files slot under the pairs of labels it did not have and unfiles it from those it lost
// (both sorted by key id); unchanged pairs cost nothing, and most updates change one label or none.
function relabel(ix: LabelIndex, slot: i32, old: StaticArray<i32>, labels: StaticArray<i32>): void {
  let i = 0;
  let j = 0;
  while (i < old.length || j < labels.length) {
    const a = i < old.length ? unchecked(old[i]) : i32.MAX_VALUE;
    const b = j < labels.length ? unchecked(labels[j]) : i32.MAX_VALUE;
    if (a == b && unchecked(old[i + 1]) == unchecked(labels[j + 1])) {
      i += 2;
      j += 2;
    } else if (a <= b) {
      ix.epKV.remove(a, unchecked(old[i + 1]), slot);
      i += 2;
    } else {
      ix.epKV.add(b, unchecked(labels[j + 1]), slot);
      j += 2;
    }
  }
}

// linkParents adds slot to (or removes it from) the child sets of parents.
function linkParents(ix: LabelIndex, slot: i32, parents: StaticArray<i32>, add: bool): void {
  for (let i = 0; i < parents.length; i++) {
    const pid = parents[i];
    if (add) {
      ix.parent(pid).children.add(slot);
      continue;
    }
    const p = ix.parents[pid];
    if (p != null) p.children.delete(slot);
    ix.dropParentIfUnused(pid);
  }
}

// sameInts reports whether two id arrays hold the same ids in the same order.
function sameInts(a: StaticArray<i32>, b: StaticArray<i32>): bool {
  if (a == b) return true;
  if (a.length != b.length) return false;
  for (let i = 0; i < a.length; i++) if (unchecked(a[i]) != unchecked(b[i])) return false;
  return true;
}

// moveAllAddrs moves the IP-set members of every candidate that matches slot (labels unchanged).
function moveAllAddrs(ix: LabelIndex, slot: i32, ep: Endpoint, to: StaticArray<i32>): void {
  const from = ep.addrs;
  for (let i = 0; i < cands.length; i++) {
    const s = ix.sels[unchecked(cands[i])]!;
    if (ep.mayMatch(unchecked(cands[i])) && s.matching.has(slot)) moveAddrs(s, from, to);
  }
}

/** removeEndpoint removes endpoint slot; every selector it matched stops matching it. */
export function removeEndpoint(ix: LabelIndex, slot: i32): void {
  if (slot >= ix.endpoints.length) return;
  const ep = ix.endpoints[slot];
  if (ep == null) return;
  const stamp = ix.nextStamp();
  cands.length = 0;
  collectCandidates(ix, ep, stamp);
  for (let i = 0; i < cands.length; i++) {
    const s = unchecked(cands[i]);
    if (ep.mayMatch(s) && ix.sels[s]!.matching.has(slot)) stop(ix, s, slot, ep.addrs);
  }
  ix.epKV.removePairs(ep.labels, slot);
  linkParents(ix, slot, ep.parents, false);
  ix.endpoints[slot] = null;
  ix.liveEndpoints--;
}

/** upsertParent sets the labels of parent slot and re-checks only its children. */
export function upsertParent(ix: LabelIndex, slot: i32, labels: StaticArray<i32>): void {
  const p = ix.parent(slot);
  p.explicit = true;
  const old = p.labels;
  ix.parentKV.removePairs(old, slot);
  p.labels = labels;
  ix.setParentLabels(slot, labels);
  ix.parentKV.addPairs(labels, slot);
  if (sameInts(old, labels)) return;
  const kids = p.children;
  for (let i = kids.next(0); i >= 0; i = kids.next(i + 1)) {
    const c = kids.at(i);
    const ep = ix.endpoints[c]!;
    const stamp = ix.nextStamp();
    cands.length = 0;
    addForLabels(ix, old, stamp); // selectors it may have matched through the old labels
    collectCandidates(ix, ep, stamp);
    recompute(ix, c, ep, ep.addrs);
  }
}

/** removeParent clears parent slot's labels (its children keep naming it) and re-checks them. */
export function removeParent(ix: LabelIndex, slot: i32): void {
  if (slot >= ix.parents.length || ix.parents[slot] == null) return;
  upsertParent(ix, slot, EMPTY);
  ix.parents[slot]!.explicit = false;
  ix.dropParentIfUnused(slot);
}

// recompute evaluates the collected candidates of ep and records each change.
function recompute(ix: LabelIndex, slot: i32, ep: Endpoint, oldAddrs: StaticArray<i32>): void {
  ix.subject(ep);
  const addrsChanged = !sameInts(oldAddrs, ep.addrs);
  let seen: u64 = 0; // every selector ep matches is a candidate, so this is its whole summary
  for (let i = 0; i < cands.length; i++) {
    const s = unchecked(cands[i]);
    const sel = ix.sels[s]!;
    const was = ep.mayMatch(s) && sel.matching.has(slot);
    const now = ix.matchesNow(sel);
    if (now) seen |= u64(1) << u64(s & 63);
    if (was && !now) stop(ix, s, slot, oldAddrs);
    else if (now && !was) start(ix, s, slot, ep.addrs);
    else if (now && addrsChanged) moveAddrs(sel, oldAddrs, ep.addrs);
  }
  ep.seen = seen;
}

function moveAddrs(s: IndexedSel, from: StaticArray<i32>, to: StaticArray<i32>): void {
  const set = s.ipset;
  if (set == null) return;
  set.addAll(to); // add before remove so shared addresses never drop to zero
  set.removeAll(from);
}

/** start records that selector sel now matches endpoint slot. */
export function start(ix: LabelIndex, sel: i32, slot: i32, addrs: StaticArray<i32>): void {
  const s = ix.sels[sel]!;
  s.matching.add(slot);
  const set = s.ipset;
  if (set != null) set.addAll(addrs);
  ix.emit(EV_STARTED, sel, slot);
}

/** stop records that selector sel no longer matches endpoint slot. */
export function stop(ix: LabelIndex, sel: i32, slot: i32, addrs: StaticArray<i32>): void {
  const s = ix.sels[sel]!;
  s.matching.delete(slot);
  const set = s.ipset;
  if (set != null) set.removeAll(addrs);
  ix.emit(EV_STOPPED, sel, slot);
}

// collectCandidates adds to cands the selectors that could match ep: unoptimised ones and those
// filed under one of its (own or inherited) labels. Called before and after a change under one
// stamp, it also finds every selector ep matched, which must stop if it no longer does.
function collectCandidates(ix: LabelIndex, ep: Endpoint, stamp: u32): void {
  addAll(ix, ix.selUnopt, stamp);
  addForLabels(ix, ep.labels, stamp);
  for (let i = 0; i < ep.parents.length; i++) {
    const p = ix.parents[ep.parents[i]];
    if (p != null) addForLabels(ix, p.labels, stamp);
  }
}

function addForLabels(ix: LabelIndex, pairs: StaticArray<i32>, stamp: u32): void {
  for (let i = 0; i < pairs.length; i += 2) {
    const k = unchecked(pairs[i]);
    const v = unchecked(pairs[i + 1]);
    const b = ix.selKV.bucket(k, v);
    if (b != null) addAll(ix, b, stamp);
    if (ix.selByKey.has(k)) addAll(ix, ix.selByKey.get(k), stamp);
    if (ix.selTested.has(k)) {
      const pass = passingOf(ix, k, v);
      for (let j = 0; j < pass.length; j++) addOne(ix, unchecked(pass[j]), stamp);
    }
  }
}

const MAX_PASSING = 1 << 16;
const passed = new Array<i32>(); // scratch

// passingOf returns the selectors filed with value tests on key k that value v passes (a prefix
// or suffix test costs far less than evaluating the selector, and the answer is cached per value).
function passingOf(ix: LabelIndex, k: i32, v: i32): StaticArray<i32> {
  const memo = (u64(k) << 32) | u64(<u32>v);
  if (ix.passing.has(memo)) return ix.passing.get(memo);
  const set = ix.selTested.get(k);
  const value = unchecked(strings[v]);
  passed.length = 0;
  for (let i = set.next(0); i >= 0; i = set.next(i + 1)) {
    const s = set.at(i);
    if (acceptsValue(ix.sels[s]!.placement.preds!, value)) passed.push(s);
  }
  const out = StaticArray.fromArray<i32>(passed);
  if (ix.passing.size >= MAX_PASSING) ix.passing.clear();
  ix.passing.set(memo, out);
  return out;
}

function addAll(ix: LabelIndex, set: IntSet, stamp: u32): void {
  if (set.size == 0) return;
  for (let i = set.next(0); i >= 0; i = set.next(i + 1)) addOne(ix, set.at(i), stamp);
}

function addOne(ix: LabelIndex, s: i32, stamp: u32): void {
  if (unchecked(ix.selSeen[s]) == stamp) return;
  unchecked((ix.selSeen[s] = stamp));
  cands.push(s);
}
