// addresses.ts: the JS side of the core's address table. Each IP address gets a dense id, registered
// with the core once (as four words); afterwards only the id crosses the boundary. IPv4 addresses,
// nearly all of a mesh's, are kept as numbers in an open-addressing table, not as strings in a
// Map: at a million pod IPs that is a few bytes each instead of a string and a Map entry.
import { formatWords, isIPv4Words, parseIP, parseIPv4 } from './ip.js';
import type { Wasm } from './wasm.js';

const EMPTY = -1;

/** AddressTable maps IP addresses to dense address ids registered with the core. */
export class AddressTable {
  readonly #wasm: Wasm;
  #keys: Int32Array = new Int32Array(1024); // IPv4 address (as int32) at a table position
  #vals: Int32Array = new Int32Array(1024).fill(EMPTY); // its id, EMPTY for a free position
  #v4Count = 0;
  #v4ById: Int32Array = new Int32Array(1024); // IPv4 address of an id (unused for IPv6 ids)
  readonly #v6 = new Map<string, number>(); // IPv6 spellings (and mapped IPv4) to ids
  readonly #v6Names = new Map<number, string>(); // canonical IPv6 name of an id
  #next = 0;

  constructor(wasm: Wasm) {
    this.#wasm = wasm;
  }

  /** ids returns the id of each address; a string that is not an IP throws, naming it. */
  ids(addrs: readonly string[]): Int32Array {
    const out = new Int32Array(addrs.length);
    const fresh: number[] = [];
    try {
      for (let i = 0; i < addrs.length; i++) {
        const a = addrs[i]!;
        const v4 = parseIPv4(a);
        out[i] = v4 !== null ? this.#v4Id(v4 | 0, fresh) : this.#otherId(a, fresh);
      }
    } finally {
      // Addresses before a bad one keep their new ids: the core must know them all the same.
      if (fresh.length > 0) this.#register(fresh);
    }
    return out;
  }

  /** name returns the canonical address string of id. */
  name(id: number): string {
    const v6 = this.#v6Names.get(id);
    if (v6 !== undefined) return v6;
    const v = this.#v4ById[id]! >>> 0;
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
  }

  // v4Id returns the id of IPv4 address v, assigning one (noted in fresh) if it is new.
  #v4Id(v: number, fresh: number[]): number {
    const mask = this.#keys.length - 1;
    for (let i = (Math.imul(v, 0x9e3779b1) >>> 0) & mask; ; i = (i + 1) & mask) {
      const id = this.#vals[i]!;
      if (id === EMPTY) break;
      if (this.#keys[i] === v) return id;
    }
    const id = this.#newId(fresh);
    if (this.#v4ById.length <= id) this.#v4ById = grown(this.#v4ById, id + 1);
    this.#v4ById[id] = v;
    this.#insert(v, id);
    if (++this.#v4Count * 2 > this.#keys.length) this.#rehash();
    return id;
  }

  #insert(v: number, id: number): void {
    const mask = this.#keys.length - 1;
    let i = (Math.imul(v, 0x9e3779b1) >>> 0) & mask;
    while (this.#vals[i] !== EMPTY) i = (i + 1) & mask;
    this.#keys[i] = v;
    this.#vals[i] = id;
  }

  #rehash(): void {
    const keys = this.#keys;
    const vals = this.#vals;
    this.#keys = new Int32Array(keys.length * 2);
    this.#vals = new Int32Array(keys.length * 2).fill(EMPTY);
    for (let i = 0; i < keys.length; i++) if (vals[i] !== EMPTY) this.#insert(keys[i]!, vals[i]!);
  }

  // otherId returns the id of an address that is not a dotted quad (IPv6, or IPv4-mapped IPv6,
  // which shares the IPv4 address's id); spellings of one address (::1, 0::1) share an id.
  #otherId(a: string, fresh: number[]): number {
    const known = this.#v6.get(a);
    if (known !== undefined) return known;
    const w = parseIP(a);
    if (w === null) throw new Error(`invalid IP address ${JSON.stringify(a)}: expected IPv4 or IPv6`);
    if (isIPv4Words(w)) return this.#v4Id(w[3] | 0, fresh);
    const name = formatWords(w);
    let id = this.#v6.get(name);
    if (id === undefined) {
      id = this.#newId(fresh);
      this.#v6.set(name, id);
      this.#v6Names.set(id, name);
    }
    this.#v6.set(a, id);
    return id;
  }

  #newId(fresh: number[]): number {
    const id = this.#next++;
    fresh.push(id);
    return id;
  }

  // register sends the words of the new ids to the core.
  #register(fresh: number[]): void {
    const words = new Uint32Array(fresh.length * 4);
    fresh.forEach((id, k) => {
      const name = this.#v6Names.get(id);
      const w = name === undefined ? [0, 0, 0xffff, this.#v4ById[id]! >>> 0] : parseIP(name)!;
      words.set(w, k * 4);
    });
    this.#wasm.call('registerAddrs', Int32Array.from(fresh), words);
  }
}

// grown returns a copy of a at least n long (doubling).
function grown(a: Int32Array, n: number): Int32Array {
  const out = new Int32Array(Math.max(n, a.length * 2));
  out.set(a);
  return out;
}
