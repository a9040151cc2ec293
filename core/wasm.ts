// wasm.ts: loads dist/core.wasm through @assemblyscript/loader and is the only code that touches
// its exports. Every method here lowers JS values into linear memory, calls once and lifts the result.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instantiateSync } from '@assemblyscript/loader';
import type { ASUtil } from '@assemblyscript/loader';

/** ABI_VERSION is the assembly/index.ts version() this wrapper was written against. */
export const ABI_VERSION = 1;

type Fn = (...args: number[]) => number;
type RawExports = ASUtil & Record<string, unknown>;

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

  /** call lowers the arguments (strings, Int32Array and Uint32Array as StaticArray, numbers), pins them and calls name. */
  call(name: string, ...args: (number | string | Int32Array | Uint32Array | boolean)[]): number {
    const x = this.#x;
    const pinned: number[] = [];
    try {
      const raw = args.map((a) => {
        if (typeof a === 'number') return a;
        if (typeof a === 'boolean') return a ? 1 : 0;
        const ptr =
          typeof a === 'string'
            ? x.__newString(a)
            : x.__newArray(a instanceof Int32Array ? this.#i32 : this.#u32, a);
        pinned.push(x.__pin(ptr));
        return ptr;
      });
      return this.#fn(name)(...raw);
    } finally {
      for (const p of pinned) x.__unpin(p);
    }
  }

  /** string lifts a returned string pointer. */
  string(ptr: number): string {
    return this.#x.__getString(ptr);
  }

  /** int32s lifts a returned Int32Array pointer (a copy). */
  int32s(ptr: number): Int32Array {
    return this.#x.__getInt32Array(ptr);
  }

  /** uint32s lifts a returned Uint32Array pointer (a copy). */
  uint32s(ptr: number): Uint32Array {
    return this.#x.__getUint32Array(ptr);
  }

  /** memoryBytes returns the size of the instance's linear memory (to check it stays bounded). */
  memoryBytes(): number {
    return (this.#x.memory as { buffer: ArrayBuffer }).buffer.byteLength;
  }

  /** collect runs a full garbage collection inside the instance. */
  collect(): void {
    this.#x.__collect();
  }
}
