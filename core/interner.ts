// interner.ts: the JS mirror of the core's string table, so each label and value crosses the
// boundary once; afterwards only its integer id does.
import { wellFormed } from './selector.js';
import type { Wasm } from './wasm.js';

/** SWEEP_MIN is the table size below which no sweep runs: a sweep reads every endpoint record, so
 * it waits until enough strings may be free to be worth it. */
export const SWEEP_MIN = 65_536;

/** Interner maps strings to the core's intern ids, sending unseen strings in one batch. Once the
 * core's table has doubled since the last sweep (and holds at least SWEEP_MIN strings) the next
 * call sweeps first: the strings nothing holds any more (a label value no endpoint carries now)
 * are freed in the core and forgotten here, so memory follows the labels in use, not every label
 * ever seen. */
export class Interner {
  readonly #wasm: Wasm;
  readonly #ids = new Map<string, number>();
  #interned = 0; // strings in the core's table, as of its last answer
  #sweepAt = SWEEP_MIN;
  /** sweeps counts the sweeps run, freed the strings they freed, sweepSeconds their time. */
  readonly sweeps = { count: 0, freed: 0, seconds: 0 };

  constructor(wasm: Wasm) {
    this.#wasm = wasm;
  }

  /** sweep frees the strings nothing in the core holds and returns how many it freed and kept.
   * It must not run while ids handed out are on their way to the core: ids() runs it first. */
  sweep(): { freed: number; interned: number } {
    const start = performance.now();
    const got = this.#wasm.callInt32s('sweepStrings');
    const interned = got[0]!;
    const freed = got.subarray(1);
    if (freed.length > 0) {
      const gone = new Uint8Array(freed.reduce((a, b) => Math.max(a, b), 0) + 1);
      for (const id of freed) gone[id] = 1;
      // Several spellings can share an id (an unpaired surrogate and its U+FFFD form): each goes.
      for (const [s, id] of this.#ids) if (id < gone.length && gone[id] === 1) this.#ids.delete(s);
    }
    this.#interned = interned;
    this.#sweepAt = Math.max(SWEEP_MIN, interned * 2);
    this.sweeps.count++;
    this.sweeps.freed += freed.length;
    this.sweeps.seconds += (performance.now() - start) / 1000;
    return { freed: freed.length, interned };
  }

  /** ids returns the id of each string, interning the new ones with a single core call. */
  ids(strings: readonly string[]): Int32Array {
    if (this.#interned >= this.#sweepAt) this.sweep();
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
    this.#interned = got[fresh.length]!;
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
