// index.ts: the typed face of the fedmesh WebAssembly core. Everything that parses, matches or
// aggregates selectors and IP sets goes through a Core; nothing else loads core.wasm.
import { AddressTable } from './addresses.js';
import { Interner } from './interner.js';
import { formatCidrs, parseIP } from './ip.js';
import { LabelIndex } from './labelindex.js';
import { LabelSet } from './labelset.js';
import { Selector, SelectorError, uniqueID } from './selector.js';
import type { Labels } from './selector.js';
import { Turns } from './turns.js';
import { Wasm } from './wasm.js';

export { LabelIndex, LabelSet, Selector, SelectorError, uniqueID };
export { CoreTrapError } from './wasm.js';
export type { ReviewOptions } from './review.js';
export type { SelectorLimit } from './selector.js';
export type { Labels };
export type { EndpointUpdate, IPSetDelta, MatchEvent, ParentUpdate } from './labelindex.js';
export type { Restrictions } from './selector.js';
export { canonicalIP } from './ip.js';

/** SelectorInfo is what validating a selector tells a user. */
export type SelectorInfo =
  { valid: true; canonical: string; uniqueID: string } | { valid: false; error: string; position: number };

/** CoreStats is what Core.stats() reports. */
export interface CoreStats {
  memoryBytes: number;
  liveSelectors: number;
  internedStrings: number;
  stringSweeps: number;
  stringsFreed: number;
  stringSweepSeconds: number;
}

/** Core is one loaded instance of the WASM core; pass it to whatever needs selectors. */
export class Core {
  readonly #w: Wasm;
  readonly #strings: Interner;
  readonly #addrs: AddressTable;
  readonly #turns = new Turns();

  /** Core.load instantiates the core from dist/core.wasm (or the given bytes). */
  static load(bytes?: Uint8Array): Core {
    const core = new Core(Wasm.load(bytes));
    core.#warmUp();
    return core;
  }

  // warmUp runs the paths a large request takes once, with a mid-sized selector, so the engine
  // has compiled them optimised (it starts with baseline code) before the first request arrives:
  // cold, a selector at the size limit held the thread several times longer.
  #warmUp(): void {
    const src = Array.from({ length: 1000 }, (_, i) => `w${i % 7} == "v${i}"`).join(' || ');
    const s = this.parse(src);
    s.restrictions();
    const ix = this.newIndex({ recordEvents: false });
    this.#w.call('reviewEnd', this.#w.call('reviewStart', ix.handle, s.handle));
    ix.dispose();
    s.dispose();
    this.#w.collect();
  }

  private constructor(w: Wasm) {
    this.#w = w;
    this.#strings = new Interner(w);
    this.#addrs = new AddressTable(w);
  }

  /** parse parses a selector (throws SelectorError); dispose() the result when done. */
  parse(src: string): Selector {
    return Selector.parse(this.#w, this.#strings, src);
  }

  /** parseInTurns is parse for untrusted, possibly large selectors: parsing and printing the
   * canonical form each wait for their own event-loop turn (core/turns.ts). */
  async parseInTurns(src: string): Promise<Selector> {
    await this.#turns.next();
    const s = Selector.parse(this.#w, this.#strings, src, true);
    await this.#turns.next();
    void s.canonical;
    return s;
  }

  /** inspect validates src and returns its canonical form and unique ID, or the error. */
  inspect(src: string): SelectorInfo {
    try {
      const s = this.parse(src);
      s.dispose();
      return { valid: true, canonical: s.canonical, uniqueID: s.uniqueID };
    } catch (e) {
      if (!(e instanceof SelectorError)) throw e;
      return { valid: false, error: e.reason, position: e.position };
    }
  }

  /** matches parses src and evaluates it once against labels and parents (throws SelectorError). */
  matches(src: string, labels: Labels, parents: readonly Labels[] = []): boolean {
    const s = this.parse(src);
    try {
      return s.matches(labels, parents);
    } finally {
      s.dispose();
    }
  }

  /** labelSet keeps labels (and parents, checked in order after them) in the core for matching
   * against many selectors (Selector.matches, matchPairs); dispose() it when done. */
  labelSet(labels: Labels, parents: readonly Labels[] = []): LabelSet {
    return LabelSet.of(this.#w, this.#strings, labels, parents);
  }

  /** matchPairs matches selectors[i] against sets[i] for every i in one call into the core: 1
   * where it matches, 0 where not. */
  matchPairs(selectors: readonly Selector[], sets: readonly LabelSet[]): Uint8Array {
    if (selectors.length !== sets.length)
      throw new Error(`matchPairs: ${selectors.length} selectors but ${sets.length} label sets`);
    const sel = new Int32Array(selectors.length);
    const set = new Int32Array(sets.length);
    for (let i = 0; i < sel.length; i++) {
      sel[i] = selectors[i]!.handle;
      set[i] = sets[i]!.handle;
    }
    return this.#w.callUint8s('evalPairs', sel, set);
  }

  /** newIndex creates a label index; recordEvents false skips the event log (bulk loads, benchmarks). */
  newIndex(opts: { recordEvents?: boolean } = {}): LabelIndex {
    return new LabelIndex(this.#w, this.#strings, this.#addrs, opts.recordEvents ?? true, this.#turns);
  }

  /** cidrCover returns the minimal CIDR cover of the addresses (IPv4 first; throws on a bad IP). */
  cidrCover(ips: readonly string[]): string[] {
    const words = new Uint32Array(ips.length * 4);
    ips.forEach((ip, i) => {
      const w = parseIP(ip);
      if (w === null) throw new Error(`invalid IP address ${JSON.stringify(ip)}: expected IPv4 or IPv6`);
      words.set(w, i * 4);
    });
    return this.cidrCoverWords(words);
  }

  /** cidrCoverWords is cidrCover over addresses already packed as 4 words each (::ffff:0:0/96 for IPv4). */
  cidrCoverWords(words: Uint32Array): string[] {
    return formatCidrs(this.cidrCoverRecords(words));
  }

  /** cidrCoverRecords is cidrCoverWords before formatting: [family, w0..w3, prefix] per CIDR. */
  cidrCoverRecords(words: Uint32Array): Uint32Array {
    return this.#w.callUint32s('cidrCover', words);
  }

  /** limits are the largest selector the core accepts: UTF-8 bytes and terms. */
  get limits(): { maxBytes: number; maxTerms: number } {
    return { maxBytes: this.#w.global('MAX_LENGTH'), maxTerms: this.#w.global('MAX_TERMS') };
  }

  /** failure is the trap that stopped this core, if any (a liveness check reports it). */
  get failure(): Error | undefined {
    return this.#w.failure;
  }

  /** collect runs a full collection of the core's memory now (it otherwise collects on its own
   * when its garbage estimate calls for it); the thread waits for it. */
  collect(): void {
    this.#w.collect();
  }

  /** sweepStrings frees now the interned labels and values nothing holds any more (it otherwise
   * runs on its own each time the table has doubled) and says how many it freed and kept. */
  sweepStrings(): { freed: number; interned: number } {
    return this.#strings.sweep();
  }

  /** stats reports the instance's linear memory, live selector handles, interned strings and the
   * sweeps of the intern table so far (leak checks, metrics). */
  stats(): CoreStats {
    return {
      memoryBytes: this.#w.memoryBytes(),
      liveSelectors: this.#w.call('selectorCount'),
      internedStrings: this.#w.call('internedStrings'),
      stringSweeps: this.#strings.sweeps.count,
      stringsFreed: this.#strings.sweeps.freed,
      stringSweepSeconds: this.#strings.sweeps.seconds,
    };
  }
}
