// scratch.ts: where JS writes ints for a call (core/wasm.ts callWithScratch): written in place,
// they cross without an allocation, a copy or a pin. Reachable from here, so never collected.

/** scratch is the area itself; scratchInts may replace it with a larger one. */
export let scratch = new StaticArray<i32>(1024);

/** scratchInts returns the address of the scratch area, grown to n ints if need be (it may move). */
export function scratchInts(n: i32): usize {
  if (scratch.length < n) scratch = new StaticArray<i32>(max(n, scratch.length << 1));
  return changetype<usize>(scratch);
}
