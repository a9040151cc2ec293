// indexapi.ts: exported, batch-shaped operations on label indexes and IP sets. Each call carries
// a whole batch as typed arrays: slots, flattened (key id, value id) pairs and per-item counts.
import { registerAddr } from './addrs';
import { cidrCoverOfIds, cidrCoverOfWords } from './cidr';
import { removeEndpoint, removeParent, upsertEndpoint, upsertParent } from './indexops';
import { IndexedSel, LabelIndex, REC_PAIRS } from './labelindex';
import { addSelector, removeSelector } from './scan';
import { endReview, review, startReview, stepReview } from './review';
import { getSelector, programCode, programNeedles } from './selectors';
import { scratch } from './scratch';
import { Marks, sortPairs, sortPairsInto } from './strings';

const indexes = new Array<LabelIndex | null>();

function ix(h: i32): LabelIndex {
  assert(h >= 0 && h < indexes.length && indexes[h] != null, 'unknown index handle');
  return indexes[h]!;
}

function sel(h: i32, slot: i32): IndexedSel {
  const x = ix(h);
  assert(slot >= 0 && slot < x.sels.length && x.sels[slot] != null, 'unknown selector slot');
  return x.sels[slot]!;
}

/** markIndexes marks the string ids every live index holds (sweep.ts). */
export function markIndexes(m: Marks): void {
  for (let h = 0; h < indexes.length; h++) {
    const x = unchecked(indexes[h]);
    if (x != null) x.markIds(m);
  }
}

/** newIndex creates an empty label index and returns its handle. */
export function newIndex(recordEvents: bool): i32 {
  const x = new LabelIndex();
  x.recordEvents = recordEvents;
  indexes.push(x);
  return indexes.length - 1;
}

/** freeIndex drops index h. */
export function freeIndex(h: i32): void {
  ix(h);
  indexes[h] = null;
}

// rec is where each endpoint's record is built (the index stores a copy): reused, so an update
// leaves no garbage unless the record changes size.
let rec = new StaticArray<i32>(256);

/** indexUpsertEndpoints adds or replaces a batch of endpoints JS wrote into the scratch area (n
 * ints): for each endpoint, slot, label pair count L, parent count P, address count A, then L
 * (key id, value id) pairs, P parent slots and A address ids. */
export function indexUpsertEndpoints(h: i32, n: i32): void {
  const x = ix(h);
  assert(n >= 0 && n <= scratch.length, 'indexUpsertEndpoints: ints out of range');
  const packed = scratch;
  let at = 0;
  while (at < n) {
    const slot = packed[at];
    const l = packed[at + 1];
    const p = packed[at + 2];
    const a = packed[at + 3];
    at += 4;
    assert(l >= 0 && p >= 0 && a >= 0 && at + l * 2 + p + a <= n, 'indexUpsertEndpoints: bad record');
    const size = REC_PAIRS + l * 2 + p + a;
    if (rec.length < size) rec = new StaticArray<i32>(max(size, rec.length << 1));
    unchecked((rec[0] = l * 2));
    unchecked((rec[1] = p));
    unchecked((rec[2] = a));
    sortPairsInto(rec, REC_PAIRS, packed, at, l);
    at += l * 2;
    memory.copy(
      changetype<usize>(rec) + ((<usize>(REC_PAIRS + l * 2)) << 2),
      changetype<usize>(packed) + ((<usize>at) << 2),
      (<usize>(p + a)) << 2,
    );
    at += p + a;
    upsertEndpoint(x, slot, rec);
  }
}

/** indexRemoveEndpoints removes endpoints by slot. */
export function indexRemoveEndpoints(h: i32, slots: StaticArray<i32>): void {
  const x = ix(h);
  for (let i = 0; i < slots.length; i++) removeEndpoint(x, slots[i]);
}

/** indexUpsertParents sets parents' labels (labelCounts[i] pairs each). */
export function indexUpsertParents(
  h: i32,
  slots: StaticArray<i32>,
  labels: StaticArray<i32>,
  labelCounts: StaticArray<i32>,
): void {
  const x = ix(h);
  let la = 0;
  for (let i = 0; i < slots.length; i++) {
    upsertParent(x, slots[i], sortPairs(labels, la, labelCounts[i]));
    la += labelCounts[i] * 2;
  }
}

/** indexRemoveParents clears parents' labels. */
export function indexRemoveParents(h: i32, slots: StaticArray<i32>): void {
  const x = ix(h);
  for (let i = 0; i < slots.length; i++) removeParent(x, slots[i]);
}

/** indexAddSelector adds parsed selector handle `selector` at slot, with an IP set if asked. */
export function indexAddSelector(h: i32, slot: i32, selector: i32, ipset: bool): void {
  const s = getSelector(selector);
  const code = programCode(selector);
  addSelector(ix(h), slot, s.tree(), code, programNeedles(selector), s.limits(), ipset);
}

/** reviewStart starts a read-only review of parsed selector handle `selector` in index h and
 * returns its handle; nothing is filed or interned (review.ts). */
export function reviewStart(h: i32, selector: i32): i32 {
  return startReview(ix(h), selector);
}

/** reviewInfo returns [candidates left to evaluate, nodes of the selector] of review r. */
export function reviewInfo(r: i32): Int32Array {
  const rv = review(r);
  const out = new Int32Array(2);
  out[0] = rv.cands.length - rv.next;
  out[1] = rv.cost;
  return out;
}

/** reviewStep evaluates up to max more candidates of review r and returns the matching slots. */
export function reviewStep(r: i32, max: i32): Int32Array {
  return stepReview(r, max);
}

/** reviewEnd releases review r. */
export function reviewEnd(r: i32): void {
  endReview(r);
}

/** indexRemoveSelector removes the selector at slot. */
export function indexRemoveSelector(h: i32, slot: i32): void {
  removeSelector(ix(h), slot);
}

/** indexDrainEvents returns and clears the events: triples (1 started | 0 stopped, selector, endpoint). */
export function indexDrainEvents(h: i32): Int32Array {
  const x = ix(h);
  const out = new Int32Array(x.events.length);
  for (let i = 0; i < x.events.length; i++) unchecked((out[i] = x.events[i]));
  x.events.length = 0;
  return out;
}

/** indexMatching returns the endpoint slots selector slot matches. */
export function indexMatching(h: i32, slot: i32): Int32Array {
  const m = sel(h, slot).matching;
  const out = new Int32Array(m.size);
  let n = 0;
  for (let i = m.next(0); i >= 0; i = m.next(i + 1)) out[n++] = m.at(i);
  return out;
}

/** indexStats returns [live endpoints, selector evaluations so far]. */
export function indexStats(h: i32): Int32Array {
  const x = ix(h);
  const out = new Int32Array(2);
  out[0] = x.liveEndpoints;
  out[1] = i32(min<i64>(x.evals, i32.MAX_VALUE));
  return out;
}

/** registerAddrs stores the 4 words of each new address id. */
export function registerAddrs(ids: StaticArray<i32>, words: StaticArray<u32>): void {
  for (let i = 0; i < ids.length; i++) {
    registerAddr(ids[i], words[i * 4], words[i * 4 + 1], words[i * 4 + 2], words[i * 4 + 3]);
  }
}

/** ipSetMembers returns the address ids in the IP set of selector slot. */
export function ipSetMembers(h: i32, slot: i32): Int32Array {
  const s = sel(h, slot).ipset;
  return s == null ? new Int32Array(0) : s.members();
}

/** ipSetDelta returns [added count, added..., removed...] since the last call. */
export function ipSetDelta(h: i32, slot: i32): Int32Array {
  const s = sel(h, slot).ipset;
  return s == null ? new Int32Array(1) : s.drainDelta();
}

/** ipSetCidrs returns the minimal CIDR cover of the IP set: [family, w0..w3, prefix] each. */
export function ipSetCidrs(h: i32, slot: i32): Uint32Array {
  return cidrCoverOfIds(ipSetMembers(h, slot));
}

/** cidrCover returns the minimal CIDR cover of addresses given as 4 words each. */
export function cidrCover(words: StaticArray<u32>): Uint32Array {
  return cidrCoverOfWords(words);
}

/** indexBruteForce evaluates every selector against the first maxEndpoints endpoints with no
 * index and returns the number of matches: the baseline the benchmarks compare the index with. */
export function indexBruteForce(h: i32, maxEndpoints: i32): i32 {
  const x = ix(h);
  let n = 0;
  let seen = 0;
  for (let e = 0; e < x.endpoints.length && seen < maxEndpoints; e++) {
    if (x.endpoints[e] == null) continue;
    seen++;
    n += indexBruteForceEndpoint(h, e);
  }
  return n;
}

/** indexBruteForceEndpoint evaluates every selector against endpoint slot (no index). */
export function indexBruteForceEndpoint(h: i32, slot: i32): i32 {
  const x = ix(h);
  x.subject(x.endpoints[slot]!);
  let n = 0;
  for (let s = 0; s < x.sels.length; s++) {
    const sel = x.sels[s];
    if (sel != null && x.matchesNow(sel)) n++;
  }
  return n;
}
