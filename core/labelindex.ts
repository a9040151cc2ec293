// labelindex.ts: the incremental label index and its IP sets, as seen from TypeScript. Updates go
// to the core in batches; match changes come back as events naming selector and endpoint IDs.
import type { AddressTable } from './addresses.js';
import type { Interner } from './interner.js';
import { formatCidrs } from './ip.js';
import { runReview, type ReviewOptions } from './review.js';
import { Selector } from './selector.js';
import type { Labels } from './selector.js';
import { Slots } from './slots.js';
import { Turns } from './turns.js';
import type { Wasm } from './wasm.js';

/** EndpointUpdate is one endpoint: its labels, parent IDs (checked in order) and IPs. */
export interface EndpointUpdate {
  id: string;
  labels: Labels;
  parents?: readonly string[];
  ips?: readonly string[];
}

/** ParentUpdate is one parent (a namespace or service-account profile) and its labels. */
export interface ParentUpdate {
  id: string;
  labels: Labels;
}

/** MatchEvent says that a selector started or stopped matching an endpoint. */
export interface MatchEvent {
  selector: string;
  endpoint: string;
  started: boolean;
}

/** IPSetDelta lists the members added and removed since the previous read. */
export interface IPSetDelta {
  added: string[];
  removed: string[];
}

/** LabelIndex matches many selectors against many endpoints incrementally; create it with Core.newIndex. */
export class LabelIndex {
  readonly #w: Wasm;
  readonly #strings: Interner;
  readonly #addrs: AddressTable;
  readonly #h: number;
  readonly #eps = new Slots();
  readonly #parents = new Slots();
  readonly #sels = new Slots();
  readonly #recordEvents: boolean;
  readonly #turns: Turns;

  /** constructor is called by Core.newIndex. */
  constructor(w: Wasm, strings: Interner, addrs: AddressTable, recordEvents: boolean, turns = new Turns()) {
    this.#turns = turns;
    this.#w = w;
    this.#strings = strings;
    this.#addrs = addrs;
    this.#recordEvents = recordEvents;
    this.#h = w.call('newIndex', recordEvents);
  }

  /** upsertEndpoints adds or replaces endpoints, in one core call carrying one packed array:
   * per endpoint its slot, label count, parent count, address count, then the label (key, value)
   * ids, parent slots and address ids. */
  upsertEndpoints(eps: readonly EndpointUpdate[]): void {
    const strings: string[] = [];
    const ips: string[] = [];
    const counts = new Int32Array(eps.length);
    let parents = 0;
    for (let i = 0; i < eps.length; i++) {
      const e = eps[i]!;
      const before = strings.length;
      for (const k in e.labels) strings.push(k, String(e.labels[k]));
      counts[i] = (strings.length - before) >> 1;
      if (e.ips) for (const ip of e.ips) ips.push(ip);
      parents += e.parents?.length ?? 0;
    }
    const ids = this.#strings.ids(strings);
    const addrs = this.#addrs.ids(ips);
    const packed = new Int32Array(eps.length * 4 + ids.length + addrs.length + parents);
    let at = 0;
    let si = 0;
    let ai = 0;
    for (let i = 0; i < eps.length; i++) {
      const e = eps[i]!;
      const l = counts[i]! * 2;
      const na = e.ips?.length ?? 0;
      packed[at] = this.#eps.ensure(e.id);
      packed[at + 1] = l >> 1;
      packed[at + 2] = e.parents?.length ?? 0;
      packed[at + 3] = na;
      at += 4;
      for (let j = 0; j < l; j++) packed[at++] = ids[si++]!;
      if (e.parents) for (const p of e.parents) packed[at++] = this.#parents.ensure(p);
      for (let j = 0; j < na; j++) packed[at++] = addrs[ai++]!;
    }
    this.#w.callWithScratch('indexUpsertEndpoints', this.#h, packed);
  }

  /** removeEndpoints removes endpoints by ID (unknown IDs are ignored). */
  removeEndpoints(ids: readonly string[]): void {
    const slots = ids.map((id) => this.#eps.get(id)).filter((s): s is number => s !== undefined);
    this.#w.call('indexRemoveEndpoints', this.#h, Int32Array.from(slots));
    for (const id of ids) this.#eps.retire(id);
    if (!this.#recordEvents) this.#eps.recycle();
  }

  /** upsertParents sets parents' labels; only their children are re-checked. */
  upsertParents(parents: readonly ParentUpdate[]): void {
    const slots = Int32Array.from(parents, (p) => this.#parents.ensure(p.id));
    const { flat, counts } = this.#strings.pairs(parents.map((p) => p.labels));
    this.#w.call('indexUpsertParents', this.#h, slots, flat, counts);
  }

  /** removeParents clears parents' labels; endpoints naming them keep the reference. */
  removeParents(ids: readonly string[]): void {
    const slots = ids.map((id) => this.#parents.get(id)).filter((s): s is number => s !== undefined);
    this.#w.call('indexRemoveParents', this.#h, Int32Array.from(slots));
  }

  /** addSelector adds (or replaces) selector id; ipSet keeps the IPs of its matches. Throws SelectorError. */
  addSelector(id: string, selector: string | Selector, opts: { ipSet?: boolean } = {}): void {
    if (this.#sels.get(id) !== undefined) this.removeSelector(id);
    const parsed = typeof selector === 'string' ? Selector.parse(this.#w, this.#strings, selector) : selector;
    try {
      this.#w.call('indexAddSelector', this.#h, this.#sels.ensure(id), parsed.handle, opts.ipSet === true);
    } finally {
      if (parsed !== selector) parsed.dispose(); // the index keeps its own reference to the tree
    }
  }

  /** removeSelector removes selector id. */
  removeSelector(id: string): void {
    const slot = this.#sels.get(id);
    if (slot === undefined) return;
    this.#w.call('indexRemoveSelector', this.#h, slot);
    this.#sels.retire(id);
    if (!this.#recordEvents) this.#sels.recycle();
  }

  /** drainEvents returns the match changes since the last drain, in the order they happened. */
  drainEvents(): MatchEvent[] {
    const raw = this.#w.callInt32s('indexDrainEvents', this.#h);
    const out: MatchEvent[] = [];
    for (let i = 0; i < raw.length; i += 3) {
      out.push({
        started: raw[i] === 1,
        selector: this.#sels.id(raw[i + 1]!),
        endpoint: this.#eps.id(raw[i + 2]!),
      });
    }
    // Events name retired slots only until now; afterwards the slots may be reused.
    this.#eps.recycle();
    this.#sels.recycle();
    return out;
  }

  /** matching returns the IDs of the endpoints selector id matches, sorted. */
  matching(id: string): string[] {
    const slot = this.#selSlot(id);
    return Array.from(this.#w.callInt32s('indexMatching', this.#h, slot), (s) => this.#eps.id(s)).sort();
  }

  /** review evaluates a selector once against every endpoint without adding it to the index (nothing
   * is interned or filed) and resolves to the matching endpoint IDs, sorted. It runs in bounded
   * steps, each in its own event-loop turn (core/turns.ts); keep `selector` undisposed until it settles. */
  async review(selector: Selector, opts: ReviewOptions = {}): Promise<string[]> {
    const pause = opts.pause ?? (() => this.#turns.next());
    const ids = await runReview(this.#w, this.#h, selector.handle, (s) => this.#eps.id(s), {
      ...opts,
      pause,
    });
    return ids.sort();
  }

  /** ipSetMembers returns the IPs in selector id's IP set, sorted. */
  ipSetMembers(id: string): string[] {
    const raw = this.#w.callInt32s('ipSetMembers', this.#h, this.#selSlot(id));
    return Array.from(raw, (a) => this.#addrs.name(a)).sort();
  }

  /** ipSetDelta returns the members added and removed since the previous ipSetDelta. */
  ipSetDelta(id: string): IPSetDelta {
    const raw = this.#w.callInt32s('ipSetDelta', this.#h, this.#selSlot(id));
    const n = raw[0]!;
    const names = Array.from(raw.subarray(1), (a) => this.#addrs.name(a));
    return { added: names.slice(0, n).sort(), removed: names.slice(n).sort() };
  }

  /** ipSetCidrs returns the minimal CIDR cover of selector id's IP set (IPv4 first, sorted). */
  ipSetCidrs(id: string): string[] {
    return formatCidrs(this.#w.callUint32s('ipSetCidrs', this.#h, this.#selSlot(id)));
  }

  /** stats returns the live endpoint count and the selector evaluations done so far. */
  stats(): { endpoints: number; selectors: number; evaluations: number } {
    const s = this.#w.callInt32s('indexStats', this.#h);
    return { endpoints: s[0]!, selectors: this.#sels.size, evaluations: s[1]! };
  }

  /** bruteForce evaluates every selector against up to maxEndpoints endpoints without the index
   * and returns the match count (the baseline the benchmarks measure the index against). */
  bruteForce(maxEndpoints: number): number {
    return this.#w.call('indexBruteForce', this.#h, maxEndpoints);
  }

  /** bruteForceEndpoint evaluates every selector against one endpoint without the index. */
  bruteForceEndpoint(id: string): number {
    const slot = this.#eps.get(id);
    if (slot === undefined) throw new Error(`unknown endpoint ${JSON.stringify(id)}`);
    return this.#w.call('indexBruteForceEndpoint', this.#h, slot);
  }

  #selSlot(id: string): number {
    const slot = this.#sels.get(id);
    if (slot === undefined) throw new Error(`unknown selector ${JSON.stringify(id)} in the index`);
    return slot;
  }

  /** handle is the index's handle in the core (for core/ only). */
  get handle(): number {
    return this.#h;
  }

  /** dispose frees the index in the core. */
  dispose(): void {
    this.#w.call('freeIndex', this.#h);
  }
}
