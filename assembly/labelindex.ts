// labelindex.ts: the incremental label index (Calico's SelectorAndNamedPortIndex). Endpoints,
// parents and selectors come and go; it records which selectors start and stop matching which
// endpoints, evaluating only candidates: endpoints found through the label index, selectors found
// through the restriction index.
import { Node } from './ast';
import { EMPTY, setSubjectIn } from './eval';
import { IpSet } from './ipsets';
import { IntSet } from './intset';
import { KVIndex } from './kvindex';
import { Place, Placement } from './placement';
import { markProgram, run } from './program';
import { Marks, mark, markRange } from './strings';

/** An endpoint is one record, a StaticArray<i32>: [P = ints of label pairs, N = parent count, A =
 * address count, P ints of (key id, value id) pairs sorted by key, N parent slots, A address ids].
 * One array per endpoint rather than an object and three arrays: at a million endpoints that is
 * about 100 bytes less each and a quarter of the objects for the collector to trace. The counts
 * say where it ends, so a record can be built in a larger reused buffer and stored as an exact copy. */
export const REC_PAIRS = 3;

/** parentsFrom is where a record's parent slots start (and its label pairs end). */
export function parentsFrom(rec: StaticArray<i32>): i32 {
  return REC_PAIRS + unchecked(rec[0]);
}

/** addrsFrom is where a record's address ids start (and its parent slots end). */
export function addrsFrom(rec: StaticArray<i32>): i32 {
  return REC_PAIRS + unchecked(rec[0]) + unchecked(rec[1]);
}

/** recEnd is where a record ends (its length when stored). */
export function recEnd(rec: StaticArray<i32>): i32 {
  return REC_PAIRS + unchecked(rec[0]) + unchecked(rec[1]) + unchecked(rec[2]);
}

/** ParentRec is a parent (namespace or service-account profile) and the endpoints that name it. */
export class ParentRec {
  labels: StaticArray<i32> = EMPTY;
  children: IntSet = new IntSet();
  explicit: bool = false; // set by upsertParent; implicit parents exist only while referenced
}

/** IndexedSel is a selector in the index with the endpoints it currently matches. */
export class IndexedSel {
  tree: Node;
  code: StaticArray<i32>; // its program (program.ts)
  needles: Array<string>;
  placement: Placement;
  matching: IntSet = new IntSet();
  ipset: IpSet | null = null;

  constructor(tree: Node, code: StaticArray<i32>, needles: Array<string>, placement: Placement) {
    this.tree = tree;
    this.code = code;
    this.needles = needles;
    this.placement = placement;
  }
}

/** Event kinds in the drained event stream (triples: kind, selector slot, endpoint slot). */
export const EV_STOPPED: i32 = 0;
export const EV_STARTED: i32 = 1;

/** LabelIndex holds the state of one index; the operations live in indexops.ts and scan.ts. */
export class LabelIndex {
  endpoints: Array<StaticArray<i32> | null> = []; // records, by slot
  /** seen has, by endpoint slot, bit (s & 63) set if selector slot s may match it (mayMatch): a
   * clear bit spares the look-up in the selector's set, a random memory access per candidate.
   * Set on every start, rebuilt from the matches each time the endpoint is re-evaluated. */
  seen: Array<u64> = [];
  parents: Array<ParentRec | null> = [];
  parentLabels: Array<StaticArray<i32>> = []; // by parent slot, EMPTY if unknown (read by eval.ts)
  sels: Array<IndexedSel | null> = [];
  epKV: KVIndex = new KVIndex();
  parentKV: KVIndex = new KVIndex();
  selKV: KVIndex = new KVIndex();
  selByKey: Map<i32, IntSet> = new Map();
  selTested: Map<i32, IntSet> = new Map(); // by key: selectors filed with value tests (Place.Tested)
  // passing caches, by (key id << 32 | value id), the Tested selectors a value passes; emptied
  // whenever a Tested selector comes or goes, and when it reaches MAX_PASSING entries.
  passing: Map<u64, StaticArray<i32>> = new Map();
  selUnopt: IntSet = new IntSet();
  events: Array<i32> = [];
  recordEvents: bool = true;
  liveEndpoints: i32 = 0;
  evals: i64 = 0;
  // Generation stamps de-duplicate candidates without allocating a set per update.
  epSeen: Array<u32> = [];
  selSeen: Array<u32> = [];
  stamp: u32 = 0;

  /** emit records that selector sel started (or stopped) matching endpoint ep. */
  emit(kind: i32, sel: i32, ep: i32): void {
    if (!this.recordEvents) return;
    this.events.push(kind);
    this.events.push(sel);
    this.events.push(ep);
  }

  /** parent returns parent slot, creating an implicit record on first reference. */
  parent(slot: i32): ParentRec {
    growRefs(this.parents, slot + 1);
    if (this.parentLabels.length <= slot) this.setParentLabels(slot, EMPTY);
    let p = this.parents[slot];
    if (p == null) {
      p = new ParentRec();
      this.parents[slot] = p;
    }
    return p;
  }

  /** dropParentIfUnused frees an implicit parent that no endpoint names any more. */
  dropParentIfUnused(slot: i32): void {
    const p = this.parents[slot];
    if (p != null && !p.explicit && p.children.size == 0) this.parents[slot] = null;
  }

  /** subject makes record rec the subject of a program (program.ts run). */
  subject(rec: StaticArray<i32>): void {
    setSubjectIn(rec, REC_PAIRS, parentsFrom(rec), addrsFrom(rec), this.parentLabels);
  }

  /** mayMatch reports whether selector slot s can be among endpoint slot e's matches (see seen). */
  @inline mayMatch(e: i32, s: i32): bool {
    return ((unchecked(this.seen[e]) >> u64(s & 63)) & 1) != 0;
  }

  /** noteMatch records in seen that selector slot s matches endpoint slot e. */
  @inline noteMatch(e: i32, s: i32): void {
    unchecked((this.seen[e] |= u64(1) << u64(s & 63)));
  }

  /** setParentLabels records parent slot's labels in the table a program reads. */
  setParentLabels(slot: i32, labels: StaticArray<i32>): void {
    while (this.parentLabels.length <= slot) this.parentLabels.push(EMPTY);
    this.parentLabels[slot] = labels;
  }

  /** matchesNow evaluates selector s against endpoint ep (which must be the subject). */
  matchesNow(s: IndexedSel): bool {
    this.evals++;
    return run(s.code, s.needles);
  }

  /** file puts selector slot into the restriction index by its placement. */
  file(slot: i32, pl: Placement, add: bool): void {
    if (pl.place == Place.Values) {
      for (let i = 0; i < pl.values.length; i++) {
        if (add) this.selKV.add(pl.key, pl.values[i], slot);
        else this.selKV.remove(pl.key, pl.values[i], slot);
      }
    } else if (pl.place == Place.Present) {
      fileByKey(this.selByKey, pl.key, slot, add);
    } else if (pl.place == Place.Tested) {
      fileByKey(this.selTested, pl.key, slot, add);
      this.passing.clear();
    } else if (pl.place == Place.Unoptimised) {
      if (add) this.selUnopt.add(slot);
      else this.selUnopt.delete(slot);
    }
  }

  /** markIds marks every string id the index holds (sweep.ts): endpoint labels, parent labels
   * and its selectors' programs and filing. The KV indexes are keyed by the same ids. The passing
   * cache is keyed by value ids, some of which the sweep may free and hand out again: emptied. */
  markIds(m: Marks): void {
    const eps = this.endpoints;
    for (let e = 0; e < eps.length; e++) {
      const rec = unchecked(eps[e]);
      if (rec != null) markRange(m, rec, REC_PAIRS, parentsFrom(rec));
    }
    const pl = this.parentLabels;
    for (let i = 0; i < pl.length; i++) markRange(m, unchecked(pl[i]), 0, unchecked(pl[i]).length);
    const ps = this.parents;
    for (let i = 0; i < ps.length; i++) {
      const p = unchecked(ps[i]);
      if (p != null) markRange(m, p.labels, 0, p.labels.length);
    }
    const sels = this.sels;
    for (let i = 0; i < sels.length; i++) {
      const s = unchecked(sels[i]);
      if (s == null) continue;
      markProgram(m, s.code);
      mark(m, s.placement.key);
      markRange(m, s.placement.values, 0, s.placement.values.length);
    }
    this.passing.clear();
  }

  /** nextStamp starts a new candidate generation. */
  nextStamp(): u32 {
    this.stamp++;
    while (this.selSeen.length < this.sels.length) this.selSeen.push(0);
    while (this.epSeen.length < this.endpoints.length) this.epSeen.push(0);
    return this.stamp;
  }
}

// fileByKey adds slot to (or removes it from) the set of key in byKey.
function fileByKey(byKey: Map<i32, IntSet>, key: i32, slot: i32, add: bool): void {
  if (!byKey.has(key)) byKey.set(key, new IntSet());
  const set = byKey.get(key);
  if (add) set.add(slot);
  else set.delete(slot);
  if (set.size == 0) byKey.delete(key);
}

/** growRefs extends a nullable array with nulls up to length n. Memory trick avoided on purpose:
 * growing with `a.length = n` can expose stale words from a reused block under the incremental
 * runtime (no zero fill), which the GC would then trace as pointers; push writes every slot. */
export function growRefs<T>(a: Array<T>, n: i32): void {
  while (a.length < n) a.push(changetype<T>(0));
}
