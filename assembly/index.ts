// index.ts: exports of the fedmesh WebAssembly core. core/wasm.ts is the only caller: it passes
// strings once (interned) and everything else as integers and typed arrays.
import { canonical, canonicalPrefixed } from './ast';
import { errorActual, errorLimit, errorMsg, errorPos } from './errors';
import { EMPTY, setSubject, setSubjectIn } from './eval';
import { scratch } from './scratch';
export { scratchInts } from './scratch';
import { parse } from './parser';
import { restrictionsJSON } from './restrictions';
import { addSelector, getSelector, liveSelectors, releaseSelector, runSelector } from './selectors';
import { intern, internedCount, sortPairs, sortPairsInPlace } from './strings';
import { LabelSet, addLabelSet, getLabelSet, releaseLabelSet } from './labelsets';

export * from './indexapi';
export { sweepStrings } from './sweep';
export { MAX_LENGTH, MAX_TERMS } from './errors';
export { allocatedHint } from './alloc';

/** version returns the core's ABI version, checked by core/ when it loads the module. */
export function version(): i32 {
  return 3;
}

// Inputs cross as StaticArray, never as typed arrays: the loader's __newArray stores a typed
// array's buffer pointer without a GC write barrier, so the incremental GC could free the buffer
// mid-call. A StaticArray is one object, so pinning it is enough.

/** I32S_ID is the runtime type id JS needs to allocate a StaticArray<i32> here. */
export const I32S_ID = idof<StaticArray<i32>>();
/** U32S_ID is the runtime type id JS needs to allocate a StaticArray<u32> here. */
export const U32S_ID = idof<StaticArray<u32>>();

/** internStrings interns the strings packed in joined (lengths in lens) and returns their ids,
 * then how many strings are interned in all (the host sweeps when that has doubled). */
export function internStrings(joined: string, lens: StaticArray<i32>): Int32Array {
  const out = new Int32Array(lens.length + 1);
  let at = 0;
  for (let i = 0; i < lens.length; i++) {
    const end = at + lens[i];
    out[i] = intern(joined.substring(at, end));
    at = end;
  }
  out[lens.length] = internedCount();
  return out;
}

/** parseSelector parses src and returns a handle, or -1 (see parseErrorPosition/Message). */
export function parseSelector(src: string): i32 {
  const n = parse(src);
  return n == null ? -1 : addSelector(n);
}

/** parseErrorPosition returns the character offset of the last parse error. */
export function parseErrorPosition(): i32 {
  return errorPos;
}

/** parseErrorMessage returns the message of the last parse error. */
export function parseErrorMessage(): string {
  return errorMsg;
}

/** parseErrorLimit returns [limit exceeded (errors.ts Limit, 0 none), measured size] of the last parse. */
export function parseErrorLimit(): Int32Array {
  const out = new Int32Array(2);
  out[0] = errorLimit;
  out[1] = errorActual;
  return out;
}

/** selectorCanonical returns the canonical string of selector h. */
export function selectorCanonical(h: i32): string {
  return canonical(getSelector(h).root);
}

/** selectorPrefixed returns the canonical string of selector h with every label name prefixed. */
export function selectorPrefixed(h: i32, prefix: string): string {
  return canonicalPrefixed(getSelector(h).root, prefix);
}

/** selectorRestrictions returns the label restrictions of selector h as JSON. */
export function selectorRestrictions(h: i32): string {
  return restrictionsJSON(getSelector(h).limits());
}

/** freeSelector releases handle h. */
export function freeSelector(h: i32): void {
  releaseSelector(h);
}

/** internedStrings returns how many strings are interned now. */
export function internedStrings(): i32 {
  return internedCount();
}

/** selectorCount returns how many selector handles are live. */
export function selectorCount(): i32 {
  return liveSelectors();
}

const NO_PARENTS = new Array<StaticArray<i32>>(0);

/** evalScratch matches selector h against the (key id, value id) pairs JS wrote into the scratch
 * area, n ints (unsorted; no parents). */
export function evalScratch(h: i32, n: i32): bool {
  assert(n >= 0 && n <= scratch.length, 'evalScratch: ints out of range');
  const pairs = n >> 1;
  sortPairsInPlace(scratch, pairs);
  setSubjectIn(scratch, 0, pairs * 2, pairs * 2, NO_PARENTS);
  return runSelector(h);
}

/** evalSelector matches h against label sets packed as (key id, value id) pairs in flat;
 * counts[0] is the number of own pairs, counts[1..] those of each parent in order. */
export function evalSelector(h: i32, flat: StaticArray<i32>, counts: StaticArray<i32>): bool {
  getSelector(h); // an unknown handle aborts before any work
  const n = counts.length;
  const own = n > 0 ? sortPairs(flat, 0, counts[0]) : EMPTY;
  let at = n > 0 ? counts[0] * 2 : 0;
  const table = new Array<StaticArray<i32>>();
  const ids = new StaticArray<i32>(max(n - 1, 0));
  for (let i = 1; i < n; i++) {
    table.push(sortPairs(flat, at, counts[i]));
    ids[i - 1] = i - 1;
    at += counts[i] * 2;
  }
  setSubject(own, ids, table);
  return runSelector(h);
}

/** newLabelSet keeps label sets packed as in evalSelector and returns its handle. */
export function newLabelSet(flat: StaticArray<i32>, counts: StaticArray<i32>): i32 {
  return addLabelSet(new LabelSet(flat, counts));
}

/** freeLabelSet releases label set handle h. */
export function freeLabelSet(h: i32): void {
  releaseLabelSet(h);
}

/** evalSelectorOn matches selector h against label set s. */
export function evalSelectorOn(h: i32, s: i32): bool {
  getLabelSet(s).subject();
  return runSelector(h);
}

/** evalPairs matches selector sels[i] against label set sets[i] for every i; 1 where it matches. */
export function evalPairs(sels: StaticArray<i32>, sets: StaticArray<i32>): Uint8Array {
  assert(sels.length == sets.length, 'evalPairs: as many label sets as selectors');
  const out = new Uint8Array(sels.length);
  for (let i = 0; i < sels.length; i++) {
    getLabelSet(unchecked(sets[i])).subject();
    unchecked((out[i] = runSelector(unchecked(sels[i])) ? 1 : 0));
  }
  return out;
}
