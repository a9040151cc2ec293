// indexops.ts: endpoint and parent updates of the label index. A changed endpoint is checked only
// against candidate selectors; a parent's change re-checks only its children.
import { EMPTY } from './eval';
import { IntSet } from './intset';
import { Endpoint, EV_STARTED, EV_STOPPED, IndexedSel, LabelIndex, growRefs, noteAlloc } from './labelindex';

// Reused scratch arrays (the core is single-threaded): candidate and matching selector slots.
const cands = new Array<i32>();
const matched = new Array<i32>();

/** upsertEndpoint adds or replaces endpoint slot and reports the selectors it starts/stops matching. */
export function upsertEndpoint(
  ix: LabelIndex,
  slot: i32,
  labels: StaticArray<i32>,
  parents: StaticArray<i32>,
  addrs: StaticArray<i32>,
): void {
  growRefs(ix.endpoints, slot + 1);
  let ep = ix.endpoints[slot];
  let oldAddrs = EMPTY;
  if (ep == null) {
    ep = new Endpoint();
    ix.endpoints[slot] = ep;
    ix.liveEndpoints++;
  } else {
    oldAddrs = ep.addrs;
    unlink(ix, slot, ep);
  }
  ep.labels = labels;
  ep.parents = parents;
  ep.addrs = addrs;
  ix.epKV.addPairs(labels, slot);
  for (let i = 0; i < parents.length; i++) ix.parent(parents[i]).children.add(slot);
  recompute(ix, slot, ep, oldAddrs);
}

// unlink takes an endpoint out of the label index and its parents' child sets.
function unlink(ix: LabelIndex, slot: i32, ep: Endpoint): void {
  ix.epKV.removePairs(ep.labels, slot);
  for (let i = 0; i < ep.parents.length; i++) {
    const pid = ep.parents[i];
    const p = ix.parents[pid];
    if (p != null) p.children.delete(slot);
    ix.dropParentIfUnused(pid);
  }
}

/** removeEndpoint removes endpoint slot; every selector it matched stops matching it. */
export function removeEndpoint(ix: LabelIndex, slot: i32): void {
  if (slot >= ix.endpoints.length) return;
  const ep = ix.endpoints[slot];
  if (ep == null) return;
  for (let i = 0; i < ep.matches.length; i++) stop(ix, ep.matches[i], slot, ep.addrs);
  unlink(ix, slot, ep);
  ix.endpoints[slot] = null;
  ix.liveEndpoints--;
}

/** upsertParent sets the labels of parent slot and re-checks only its children. */
export function upsertParent(ix: LabelIndex, slot: i32, labels: StaticArray<i32>): void {
  const p = ix.parent(slot);
  p.explicit = true;
  ix.parentKV.removePairs(p.labels, slot);
  p.labels = labels;
  ix.setParentLabels(slot, labels);
  ix.parentKV.addPairs(labels, slot);
  const kids = p.children;
  for (let i = 0; i < kids.capacity(); i++) {
    const c = kids.at(i);
    if (c < 0) continue;
    const ep = ix.endpoints[c]!;
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

// recompute re-evaluates the candidate selectors of ep and applies the difference to matches.
function recompute(ix: LabelIndex, slot: i32, ep: Endpoint, oldAddrs: StaticArray<i32>): void {
  collectCandidates(ix, ep);
  ix.subject(ep);
  matched.length = 0;
  for (let i = 0; i < cands.length; i++) {
    const s = unchecked(cands[i]);
    if (ix.matchesNow(ix.sels[s]!)) matched.push(s);
  }
  matched.sort();
  applyDiff(ix, slot, ep, oldAddrs);
}

// applyDiff walks the old and new sorted match lists together.
function applyDiff(ix: LabelIndex, slot: i32, ep: Endpoint, oldAddrs: StaticArray<i32>): void {
  const old = ep.matches;
  const addrsChanged = oldAddrs != ep.addrs;
  let i = 0;
  let j = 0;
  let changed = false;
  while (i < old.length || j < matched.length) {
    const a = i < old.length ? old[i] : i32.MAX_VALUE;
    const b = j < matched.length ? matched[j] : i32.MAX_VALUE;
    if (a < b) {
      stop(ix, a, slot, oldAddrs);
      i++;
      changed = true;
    } else if (b < a) {
      start(ix, b, slot, ep.addrs);
      j++;
      changed = true;
    } else {
      if (addrsChanged) moveAddrs(ix.sels[a]!, oldAddrs, ep.addrs);
      i++;
      j++;
    }
  }
  if (changed) {
    noteAlloc(matched.length);
    ep.matches = StaticArray.fromArray<i32>(matched);
  }
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

// collectCandidates gathers the selectors that could match ep: unoptimised ones, those filed
// under one of its (own or inherited) labels, and those it matches now (they may stop).
function collectCandidates(ix: LabelIndex, ep: Endpoint): void {
  cands.length = 0;
  const stamp = ix.nextStamp();
  addAll(ix, ix.selUnopt, stamp);
  addForLabels(ix, ep.labels, stamp);
  for (let i = 0; i < ep.parents.length; i++) {
    const p = ix.parents[ep.parents[i]];
    if (p != null) addForLabels(ix, p.labels, stamp);
  }
  for (let i = 0; i < ep.matches.length; i++) addOne(ix, ep.matches[i], stamp);
}

function addForLabels(ix: LabelIndex, pairs: StaticArray<i32>, stamp: u32): void {
  for (let i = 0; i < pairs.length; i += 2) {
    const k = unchecked(pairs[i]);
    const b = ix.selKV.bucket(k, unchecked(pairs[i + 1]));
    if (b != null) addAll(ix, b, stamp);
    if (ix.selByKey.has(k)) addAll(ix, ix.selByKey.get(k), stamp);
  }
}

function addAll(ix: LabelIndex, set: IntSet, stamp: u32): void {
  if (set.size == 0) return;
  for (let i = 0, n = set.capacity(); i < n; i++) {
    const s = set.at(i);
    if (s >= 0) addOne(ix, s, stamp);
  }
}

function addOne(ix: LabelIndex, s: i32, stamp: u32): void {
  if (unchecked(ix.selSeen[s]) == stamp) return;
  unchecked((ix.selSeen[s] = stamp));
  cands.push(s);
}
