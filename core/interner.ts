// interner.ts: the JS mirror of the core's string table, so each label and value crosses the
// boundary once; afterwards only its integer id does.
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
    let fresh: string[] | undefined;
    let pending: Map<string, number> | undefined; // new string -> index in fresh
    for (let i = 0; i < strings.length; i++) {
      const s = strings[i]!;
      const id = this.#ids.get(s);
      if (id !== undefined) {
        out[i] = id;
        continue;
      }
      fresh ??= [];
      pending ??= new Map();
      let k = pending.get(s);
      if (k === undefined) pending.set(s, (k = fresh.push(s) - 1));
      out[i] = -1 - k; // placeholder until the core answers
    }
    if (fresh === undefined) return out;
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
