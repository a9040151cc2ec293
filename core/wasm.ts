// wasm.ts: loads dist/core.wasm through @assemblyscript/loader and is the only code that touches
// its exports. Every method here lowers JS values into linear memory, calls once and lifts the result.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instantiateSync } from '@assemblyscript/loader';
import type { ASUtil } from '@assemblyscript/loader';

/** ABI_VERSION is the assembly/index.ts version() this wrapper was written against. */
export const ABI_VERSION = 3;

type Fn = (...args: number[]) => number;
const STRING_ID = 2; // the runtime's class id of String (fixed by AssemblyScript)
const LONG_STRING = 32; // characters from which strings cross with Buffer's copy (see #newString)
type Arg = number | string | Int32Array | Uint32Array | boolean;

// Collection policy (see #maybeCollect): estimated garbage per call and per value that crossed
// the boundary (string character or array element), and the least garbage worth a collection.
const CALL_BYTES = 128;
const UNIT_BYTES = 16;
const MIN_DEBT_BYTES = 8 * 1024 * 1024;
const CHECK_BYTES = 16 * 1024; // estimated garbage between two looks at the core (#maybeCollect)
type RawExports = ASUtil & Record<string, unknown>;

/** CoreTrapError is a trap (a bug, or memory exhausted) inside the core. The instance's state is
 * unknown afterwards, so every later call fails with the same error until the process restarts
 * (fedmesh-apiserver's liveness check reports it; all its core state is rebuilt from watches). */
export class CoreTrapError extends Error {
  constructor(call: string, cause: Error) {
    super(`the selector core stopped after an internal error in ${call}: ${cause.message}`);
    this.name = 'CoreTrapError';
  }
}

// isTrap tells a trap (WebAssembly.RuntimeError: unreachable, out of memory) or a failed core
// assertion (the loader's abort) from an ordinary error thrown in JS while marshalling.
function isTrap(e: unknown): e is Error {
  // A stack overflow inside the core can leave its allocator half-way through a change: as fatal as a trap.
  const overflow = e instanceof RangeError && e.message.includes('Maximum call stack size exceeded');
  return e instanceof Error && (e.name === 'RuntimeError' || e.message.startsWith('abort:') || overflow);
}

/** findCoreWasm returns the path of dist/core.wasm, walking up from this file to package.json. */
export function findCoreWasm(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      const wasm = join(dir, 'dist', 'core.wasm');
      if (existsSync(wasm)) return wasm;
      throw new Error(`fedmesh core not built: ${wasm} is missing; run \`npm run build\` in ${dir}`);
    }
    const up = dirname(dir);
    if (up === dir)
      throw new Error('fedmesh core: no package.json above ' + from + '; run from the checkout');
    dir = up;
  }
}

/** Wasm is one instance of the core with typed, marshalling wrappers around its raw exports. */
export class Wasm {
  readonly #x: RawExports;
  readonly #i32: number;
  readonly #u32: number;

  /** Wasm.load instantiates the core from bytes (default: dist/core.wasm of this checkout). */
  static load(bytes: Uint8Array = readFileSync(findCoreWasm())): Wasm {
    const { exports } = instantiateSync<Record<string, unknown>>(bytes, {});
    return new Wasm(exports);
  }

  private constructor(x: RawExports) {
    this.#x = x;
    const v = this.#fn('version')();
    if (v !== ABI_VERSION)
      throw new Error(`fedmesh core ABI ${v}, expected ${ABI_VERSION}: run \`npm run build\``);
    this.#i32 = this.#global('I32S_ID');
    this.#u32 = this.#global('U32S_ID');
  }

  #fn(name: string): Fn {
    const f = this.#x[name];
    if (typeof f !== 'function')
      throw new Error(`fedmesh core: export ${name} missing; run \`npm run build\``);
    return f as Fn;
  }

  #global(name: string): number {
    const g = this.#x[name] as { value: number } | number;
    return typeof g === 'number' ? g : g.value;
  }

  /** call invokes export name with lowered arguments and returns its number result. */
  call(name: string, ...args: Arg[]): number {
    return this.#invoke(name, args, (r) => r);
  }

  /** callNumbers invokes export name with number arguments only: nothing to lower or pin, so a
   * call that only reads the core (a match against a prepared label set) costs little more than the
   * call itself. */
  callNumbers(name: string, a: number, b: number): number {
    return this.#guarded(name, () => this.#fn(name)(a, b), true);
  }

  /** callWithScratch writes ints into the core's scratch area (assembly/scratch.ts) and invokes
   * export name with a and their count: nothing is allocated, copied twice or pinned. */
  callWithScratch(name: string, a: number, ints: Int32Array): number {
    return this.#guarded(
      name,
      () => {
        const ptr = this.#fn('scratchInts')(ints.length);
        new Int32Array(this.#memory(), ptr, ints.length).set(ints); // after scratchInts: memory may have grown
        return this.#fn(name)(a, ints.length);
      },
      true,
    );
  }

  /** callString invokes export name and lifts its string result. */
  callString(name: string, ...args: Arg[]): string {
    return this.#invoke(name, args, (r) => this.#getString(r));
  }

  /** callInt32s invokes export name and lifts (copies) its Int32Array result. */
  callInt32s(name: string, ...args: Arg[]): Int32Array {
    return this.#invoke(name, args, (r) => this.#x.__getInt32Array(r));
  }

  /** callUint8s invokes export name and lifts (copies) its Uint8Array result. */
  callUint8s(name: string, ...args: Arg[]): Uint8Array {
    return this.#invoke(name, args, (r) => this.#x.__getUint8Array(r));
  }

  /** callUint32s invokes export name and lifts (copies) its Uint32Array result. */
  callUint32s(name: string, ...args: Arg[]): Uint32Array {
    return this.#invoke(name, args, (r) => this.#x.__getUint32Array(r));
  }

  // invoke lowers the arguments (strings; Int32Array and Uint32Array as StaticArray), pins them,
  // calls, and lifts the result before anything can collect it (the result itself is not pinned).
  #invoke<T>(name: string, args: Arg[], lift: (raw: number) => T): T {
    return this.#guarded(name, () => this.#lowerCallLift(name, args, lift), false);
  }

  // guarded runs one call into the core; a trap stops the instance, and every later call throws it.
  // collect: look for garbage afterwards (#lowerCallLift does it itself, knowing what crossed).
  #guarded<T>(name: string, call: () => T, collect: boolean): T {
    if (this.#trap) throw this.#trap;
    try {
      return call();
    } catch (e) {
      if (!isTrap(e)) throw e;
      this.#trap = new CoreTrapError(name, e);
      throw this.#trap;
    } finally {
      if (collect && !this.#trap) this.#maybeCollect(0);
    }
  }

  /** failure is the trap that stopped this instance, if any. */
  get failure(): CoreTrapError | undefined {
    return this.#trap;
  }

  #trap: CoreTrapError | undefined;

  #lowerCallLift<T>(name: string, args: Arg[], lift: (raw: number) => T): T {
    const x = this.#x;
    let units = 0;
    const pinned: number[] = [];
    try {
      const raw = args.map((a) => {
        if (typeof a === 'number') return a;
        if (typeof a === 'boolean') return a ? 1 : 0;
        units += a.length;
        const ptr =
          typeof a === 'string'
            ? this.#newString(a)
            : x.__newArray(a instanceof Int32Array ? this.#i32 : this.#u32, a);
        pinned.push(x.__pin(ptr));
        return ptr;
      });
      const out = lift(this.#fn(name)(...raw));
      if (typeof out === 'string' || ArrayBuffer.isView(out)) units += (out as { length: number }).length;
      return out;
    } finally {
      for (const p of pinned) x.__unpin(p);
      this.#maybeCollect(units);
    }
  }

  // Strings cross as UTF-16 (the core's encoding). Past a few dozen characters Buffer's native ucs2
  // copy is 2-4x faster than the loader's per-character loop (lowering) and fromCharCode (lifting).
  #newString(s: string): number {
    if (s.length < LONG_STRING) return this.#x.__newString(s);
    const ptr = this.#x.__new(s.length << 1, STRING_ID);
    Buffer.from(this.#memory(), ptr, s.length << 1).write(s, 'ucs2');
    return ptr;
  }

  #getString(ptr: number): string {
    if (ptr === 0) return this.#x.__getString(ptr);
    const bytes = new Uint32Array(this.#memory(), ptr - 4, 1)[0]!; // the runtime's size header
    if (bytes < LONG_STRING * 2) return this.#x.__getString(ptr);
    return Buffer.from(this.#memory(), ptr, bytes).toString('ucs2');
  }

  #memory(): ArrayBuffer {
    return (this.#x.memory as { buffer: ArrayBuffer }).buffer;
  }

  /** global reads an exported constant of the core (a limit, a type id). */
  global(name: string): number {
    return this.#global(name);
  }

  /** memoryBytes returns the size of the instance's linear memory (to check it stays bounded). */
  memoryBytes(): number {
    return (this.#x.memory as { buffer: ArrayBuffer }).buffer.byteLength;
  }

  /** collect runs a full garbage collection inside the instance. */
  collect(): void {
    this.#x.__collect();
  }

  // The core uses AssemblyScript's minimal runtime: no shadow stack (evaluation runs ~3x faster
  // than with the incremental runtime) and no automatic collection, so the host collects between
  // calls. Linear memory never shrinks and grows only once garbage has filled it, so collecting
  // only on growth would let it double forever; the host therefore also keeps a garbage estimate
  // (per call, from the size of what crossed the boundary, plus the core's own allocatedHint for
  // the index's hot paths) and collects once it reaches a quarter of memory. Either way the cost of
  // a collection (proportional to the heap) is paid once per heap-sized amount of allocation.
  #maybeCollect(units: number): void {
    this.#debt += CALL_BYTES + units * UNIT_BYTES;
    // Reading the core's hint and memory size costs more than a small call: do it every few KiB.
    if (this.#debt < this.#checkAt) return;
    this.#checkAt = this.#debt + CHECK_BYTES;
    const hint = this.#global('allocatedHint');
    const bytes = this.memoryBytes();
    const due = this.#debt + hint - this.#hintAtCollect >= Math.max(MIN_DEBT_BYTES, bytes / 4);
    if (!due && bytes <= this.#bytesAtCollect) return;
    this.#x.__collect();
    this.#debt = 0;
    this.#checkAt = 0;
    this.#hintAtCollect = hint;
    this.#bytesAtCollect = this.memoryBytes();
  }

  #debt = 0;
  #checkAt = 0;
  #hintAtCollect = 0;
  #bytesAtCollect = 0;
}
