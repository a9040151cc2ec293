// alloc.ts: the core's own count of garbage it makes on hot paths (arrays it replaces), so the
// host's collection policy (core/wasm.ts) sees garbage that its per-call estimate cannot.

/** allocatedHint counts bytes allocated and then dropped by the index (read by the host). */
export let allocatedHint: f64 = 0;

/** noteAlloc adds n dropped 4-byte slots (plus the object header) to allocatedHint. */
export function noteAlloc(n: i32): void {
  allocatedHint += f64(n * 4 + 20);
}
