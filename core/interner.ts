// interner.ts: JS mirrors of the core's string and address tables, so each label, value and IP
// crosses the boundary once; afterwards only its integer id does.
import { formatWords, parseIP } from './ip.js';
import type { Wasm } from './wasm.js';

/** Interner maps strings to the core's intern ids, sending unseen strings in one batch. */
export class Interner {
  readonly #wasm: Wasm;
  readonly #ids = new Map<string, number>();

  constructor(wasm: Wasm) {
    this.#wasm = wasm;
  }

  /** ids returns the id of each string, interning the new ones with a single core call. */
  ids(strings: readonly string[]): Int32Array {
    const fresh = [...new Set(strings.filter((s) => !this.#ids.has(s)))];
    if (fresh.length > 0) {
      const lens = Int32Array.from(fresh, (s) => s.length);
      const got = this.#wasm.int32s(this.#wasm.call('internStrings', fresh.join(''), lens));
      fresh.forEach((s, i) => this.#ids.set(s, got[i]!));
    }
    return Int32Array.from(strings, (s) => this.#ids.get(s)!);
  }

  /** pairs flattens label maps into (key id, value id) pairs and per-map counts. */
  pairs(maps: readonly Readonly<Record<string, string>>[]): { flat: Int32Array; counts: Int32Array } {
    const strings: string[] = [];
    const counts = new Int32Array(maps.length);
    maps.forEach((m, i) => {
      for (const [k, v] of Object.entries(m)) strings.push(k, String(v));
      counts[i] = strings.length;
    });
    for (let i = counts.length - 1; i > 0; i--) counts[i] = (counts[i]! - counts[i - 1]!) / 2;
    if (counts.length > 0) counts[0] = counts[0]! / 2;
    return { flat: this.ids(strings), counts };
  }
}

/** AddressTable maps canonical IP strings to dense address ids registered with the core. */
export class AddressTable {
  readonly #wasm: Wasm;
  readonly #ids = new Map<string, number>();
  readonly #names: string[] = [];

  constructor(wasm: Wasm) {
    this.#wasm = wasm;
  }

  /** ids returns the id of each address; a string that is not an IP throws, naming it. */
  ids(addrs: readonly string[]): Int32Array {
    const newIds: number[] = [];
    const words: number[] = [];
    const out = Int32Array.from(addrs, (a) => {
      const known = this.#ids.get(a);
      if (known !== undefined) return known;
      const w = parseIP(a);
      if (w === null) throw new Error(`invalid IP address ${JSON.stringify(a)}: expected IPv4 or IPv6`);
      // Spellings of one address (::1, 0::1) share an id, so they count as one member.
      const name = formatWords(w);
      const same = this.#ids.get(name);
      if (same !== undefined) {
        this.#ids.set(a, same);
        return same;
      }
      const id = this.#names.length;
      this.#names.push(name);
      this.#ids.set(a, id);
      this.#ids.set(name, id);
      newIds.push(id);
      words.push(...w);
      return id;
    });
    if (newIds.length > 0) this.#wasm.call('registerAddrs', Int32Array.from(newIds), Uint32Array.from(words));
    return out;
  }

  /** name returns the canonical address string of id. */
  name(id: number): string {
    return this.#names[id]!;
  }
}
