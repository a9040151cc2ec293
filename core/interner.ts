// interner.ts: JS mirrors of the core's string and address tables, so each label, value and IP
// crosses the boundary once; afterwards only its integer id does.
import { formatWords, parseIP } from './ip.js';
import { wellFormed } from './selector.js';
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
    const out = new Int32Array(strings.length);
    const fresh: string[] = [];
    const pending = new Map<string, number>(); // new string -> index in fresh
    for (let i = 0; i < strings.length; i++) {
      const s = strings[i]!;
      const id = this.#ids.get(s);
      if (id !== undefined) {
        out[i] = id;
        continue;
      }
      let k = pending.get(s);
      if (k === undefined) pending.set(s, (k = fresh.push(s) - 1));
      out[i] = -1 - k; // placeholder until the core answers
    }
    if (fresh.length === 0) return out;
    // A label with an unpaired surrogate is the label with U+FFFD in its place, as in Calico.
    const sent = fresh.map(wellFormed);
    const lens = Int32Array.from(sent, (s) => s.length);
    const got = this.#wasm.callInt32s('internStrings', sent.join(''), lens);
    fresh.forEach((s, k) => this.#ids.set(s, got[k]!));
    for (let i = 0; i < out.length; i++) if (out[i]! < 0) out[i] = got[-1 - out[i]!]!;
    return out;
  }

  /** pairs flattens label maps into (key id, value id) pairs and per-map counts. */
  pairs(maps: readonly Readonly<Record<string, string>>[]): { flat: Int32Array; counts: Int32Array } {
    const strings: string[] = [];
    const counts = new Int32Array(maps.length);
    for (let i = 0; i < maps.length; i++) {
      const m = maps[i]!;
      let n = 0;
      for (const k in m) {
        strings.push(k, String(m[k]));
        n++;
      }
      counts[i] = n;
    }
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
      // Keep the caller's string when it is already canonical (most are), not an equal copy.
      const formatted = formatWords(w);
      const name = formatted === a ? a : formatted;
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
