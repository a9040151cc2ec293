// indexops.ts: endpoint and parent updates of the label index. A changed endpoint is checked only
// against candidate selectors; a parent's change re-checks only its children.
import { EMPTY } from './eval';
import { IntSet } from './intset';
import { acceptsValue } from './restrictions';
import { strings } from './strings';
import {
  EV_STARTED,
  EV_STOPPED,
  IndexedSel,
  LabelIndex,
  REC_PAIRS,
  addrsFrom,
  growRefs,
  parentsFrom,
  recEnd,
} from './labelindex';
import { noteAlloc } from './alloc';

// Reused scratch array (the core is single-threaded): candidate selector slots.
const cands = new Array<i32>();

/** upsertEndpoint adds or replaces endpoint slot with record rec (labelindex.ts) and reports the
 * selectors it starts/stops matching. rec may be a reused buffer: the index stores a copy (or
 * overwrites the old record when the sizes agree, as they do for most updates: no garbage). No
 * endpoint keeps a list of its matches: the selectors it may match are always among those filed
 * under its labels (and its parents'), and each selector's own set says whether it matches now. */
export function upsertEndpoint(ix: LabelIndex, slot: i32, rec: StaticArray<i32>): void {
  growRefs(ix.endpoints, slot + 1);
  while (ix.seen.length <= slot) ix.seen.push(0);
  const old = ix.endpoints[slot];
  const stamp = ix.nextStamp();
  cands.length = 0;
  if (old == null) {
    ix.liveEndpoints++;
    unchecked((ix.seen[slot] = 0));
    ix.epKV.addPairs(rec, REC_PAIRS, parentsFrom(rec), slot);
    linkParents(ix, slot, rec, true);
  } else {
    const sameIdentity = sameRange(old, 0, addrsFrom(old), rec, 0, addrsFrom(rec));
    if (sameIdentity && sameRange(old, 0, recEnd(old), rec, 0, recEnd(rec))) return; // nothing seen changed
    collectCandidates(ix, old, stamp); // the selectors it may match now, by its old labels
    if (sameIdentity) {
      moveAllAddrs(ix, slot, old, rec);
      store(ix, slot, old, rec);
      return;
    }
    relabel(ix, slot, old, rec);
    if (!sameRange(old, parentsFrom(old), addrsFrom(old), rec, parentsFrom(rec), addrsFrom(rec))) {
      linkParents(ix, slot, old, false);
      linkParents(ix, slot, rec, true);
    }
  }
  collectCandidates(ix, rec, stamp);
  recompute(ix, slot, rec, old != null ? old : rec, old != null);
  store(ix, slot, old, rec);
}

// store keeps record rec for slot: in old's array when the sizes agree, else in a new exact copy.
function store(ix: LabelIndex, slot: i32, old: StaticArray<i32> | null, rec: StaticArray<i32>): void {
  const n = recEnd(rec);
  let kept = old;
  if (kept == null || kept.length != n) {
    if (kept != null) noteAlloc(kept.length);
    kept = new StaticArray<i32>(n);
  }
  memory.copy(changetype<usize>(kept), changetype<usize>(rec), (<usize>n) << 2);
  ix.endpoints[slot] = kept;
}

// relabel files slot under the label pairs of rec that old lacks and unfiles it from those it lost
// (both sorted by key id); unchanged pairs cost nothing, and most updates change one label or none.
function relabel(ix: LabelIndex, slot: i32, old: StaticArray<i32>, rec: StaticArray<i32>): void {
  let i = REC_PAIRS;
  let j = REC_PAIRS;
  const iEnd = parentsFrom(old);
  const jEnd = parentsFrom(rec);
  while (i < iEnd || j < jEnd) {
    const a = i < iEnd ? unchecked(old[i]) : i32.MAX_VALUE;
    const b = j < jEnd ? unchecked(rec[j]) : i32.MAX_VALUE;
    if (a == b && unchecked(old[i + 1]) == unchecked(rec[j + 1])) {
      i += 2;
      j += 2;
    } else if (a <= b) {
      ix.epKV.remove(a, unchecked(old[i + 1]), slot);
      i += 2;
    } else {
      ix.epKV.add(b, unchecked(rec[j + 1]), slot);
      j += 2;
    }
  }
}

// linkParents adds slot to (or removes it from) the child sets of the parents of record rec.
function linkParents(ix: LabelIndex, slot: i32, rec: StaticArray<i32>, add: bool): void {
  for (let i = parentsFrom(rec), n = addrsFrom(rec); i < n; i++) {
    const pid = rec[i];
    if (add) {
      ix.parent(pid).children.add(slot);
      continue;
    }
    const p = ix.parents[pid];
    if (p != null) p.children.delete(slot);
    ix.dropParentIfUnused(pid);
  }
}

// sameRange reports whether a[af, at) and b[bf, bt) hold the same ints.
function sameRange(a: StaticArray<i32>, af: i32, at: i32, b: StaticArray<i32>, bf: i32, bt: i32): bool {
  if (at - af != bt - bf) return false;
  for (let i = 0, n = at - af; i < n; i++) if (unchecked(a[af + i]) != unchecked(b[bf + i])) return false;
  return true;
}

// moveAllAddrs moves the IP-set members of every candidate that matches slot (labels unchanged).
function moveAllAddrs(ix: LabelIndex, slot: i32, old: StaticArray<i32>, rec: StaticArray<i32>): void {
  for (let i = 0; i < cands.length; i++) {
    const s = unchecked(cands[i]);
    const sel = ix.sels[s]!;
    if (ix.mayMatch(slot, s) && sel.matching.has(slot)) moveAddrs(sel, old, rec);
  }
}

/** removeEndpoint removes endpoint slot; every selector it matched stops matching it. */
export function removeEndpoint(ix: LabelIndex, slot: i32): void {
  if (slot >= ix.endpoints.length) return;
  const rec = ix.endpoints[slot];
  if (rec == null) return;
  const stamp = ix.nextStamp();
  cands.length = 0;
  collectCandidates(ix, rec, stamp);
  for (let i = 0; i < cands.length; i++) {
    const s = unchecked(cands[i]);
    if (ix.mayMatch(slot, s) && ix.sels[s]!.matching.has(slot)) stop(ix, s, slot, rec);
  }
  ix.epKV.removePairs(rec, REC_PAIRS, parentsFrom(rec), slot);
  linkParents(ix, slot, rec, false);
  noteAlloc(rec.length);
  ix.endpoints[slot] = null;
  unchecked((ix.seen[slot] = 0));
  ix.liveEndpoints--;
}

/** upsertParent sets the labels of parent slot and re-checks only its children. */
export function upsertParent(ix: LabelIndex, slot: i32, labels: StaticArray<i32>): void {
  const p = ix.parent(slot);
  p.explicit = true;
  const old = p.labels;
  if (sameRange(old, 0, old.length, labels, 0, labels.length)) return;
  ix.parentKV.removePairs(old, 0, old.length, slot);
  p.labels = labels;
  ix.setParentLabels(slot, labels);
  ix.parentKV.addPairs(labels, 0, labels.length, slot);
  const kids = p.children;
  for (let i = kids.next(0); i >= 0; i = kids.next(i + 1)) {
    const c = kids.at(i);
    const rec = ix.endpoints[c]!;
    const stamp = ix.nextStamp();
    cands.length = 0;
    addForLabels(ix, old, 0, old.length, stamp); // selectors it may have matched through the old labels
    collectCandidates(ix, rec, stamp);
    recompute(ix, c, rec, rec, true);
  }
}

/** removeParent clears parent slot's labels (its children keep naming it) and re-checks them. */
export function removeParent(ix: LabelIndex, slot: i32): void {
  if (slot >= ix.parents.length || ix.parents[slot] == null) return;
  upsertParent(ix, slot, EMPTY);
  ix.parents[slot]!.explicit = false;
  ix.dropParentIfUnused(slot);
}

// recompute evaluates the collected candidates of endpoint slot (record rec, formerly old) and
// records each change; had says whether it was indexed before (else it matched nothing).
function recompute(ix: LabelIndex, slot: i32, rec: StaticArray<i32>, old: StaticArray<i32>, had: bool): void {
  ix.subject(rec);
  const addrsChanged = !sameRange(old, addrsFrom(old), recEnd(old), rec, addrsFrom(rec), recEnd(rec));
  let seen: u64 = 0; // every selector it matches is a candidate, so this is its whole summary
  for (let i = 0; i < cands.length; i++) {
    const s = unchecked(cands[i]);
    const sel = ix.sels[s]!;
    const was = had && ix.mayMatch(slot, s) && sel.matching.has(slot);
    const now = ix.matchesNow(sel);
    if (now) seen |= u64(1) << u64(s & 63);
    if (was && !now) stop(ix, s, slot, old);
    else if (now && !was) start(ix, s, slot, rec);
    else if (now && addrsChanged) moveAddrs(sel, old, rec);
  }
  unchecked((ix.seen[slot] = seen));
}

// moveAddrs moves an IP set's references from the addresses of record old to those of rec.
function moveAddrs(s: IndexedSel, old: StaticArray<i32>, rec: StaticArray<i32>): void {
  const set = s.ipset;
  if (set == null) return;
  set.addAll(rec, addrsFrom(rec), recEnd(rec)); // add before remove so shared addresses never drop to zero
  set.removeAll(old, addrsFrom(old), recEnd(old));
}

/** start records that selector sel now matches endpoint slot (record rec). */
export function start(ix: LabelIndex, sel: i32, slot: i32, rec: StaticArray<i32>): void {
  const s = ix.sels[sel]!;
  s.matching.add(slot);
  const set = s.ipset;
  if (set != null) set.addAll(rec, addrsFrom(rec), recEnd(rec));
  ix.emit(EV_STARTED, sel, slot);
}

/** stop records that selector sel no longer matches endpoint slot (record rec). */
export function stop(ix: LabelIndex, sel: i32, slot: i32, rec: StaticArray<i32>): void {
  const s = ix.sels[sel]!;
  s.matching.delete(slot);
  const set = s.ipset;
  if (set != null) set.removeAll(rec, addrsFrom(rec), recEnd(rec));
  ix.emit(EV_STOPPED, sel, slot);
}

// collectCandidates adds to cands the selectors that could match ep: unoptimised ones and those
// filed under one of its (own or inherited) labels. Called before and after a change under one
// stamp, it also finds every selector ep matched, which must stop if it no longer does.
function collectCandidates(ix: LabelIndex, rec: StaticArray<i32>, stamp: u32): void {
  addAll(ix, ix.selUnopt, stamp);
  addForLabels(ix, rec, REC_PAIRS, parentsFrom(rec), stamp);
  for (let i = parentsFrom(rec), n = addrsFrom(rec); i < n; i++) {
    const p = ix.parents[rec[i]];
    if (p != null) addForLabels(ix, p.labels, 0, p.labels.length, stamp);
  }
}

function addForLabels(ix: LabelIndex, pairs: StaticArray<i32>, from: i32, to: i32, stamp: u32): void {
  for (let i = from; i < to; i += 2) {
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
