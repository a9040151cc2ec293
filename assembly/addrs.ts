// addrs.ts: the address table. JS parses each IP once and registers it as four 32-bit words
// (IPv4 as ::ffff:a.b.c.d); endpoints and IP sets then refer to addresses by id.

/** addrWords holds 4 words per address id. */
export const addrWords = new Array<u32>();

/** registerAddr stores the words of address id (ids are dense, assigned by core/). */
export function registerAddr(id: i32, w0: u32, w1: u32, w2: u32, w3: u32): void {
  const need = (id + 1) * 4;
  while (addrWords.length < need) addrWords.push(0); // grow by push: see grow() in labelindex.ts
  const at = id * 4;
  addrWords[at] = w0;
  addrWords[at + 1] = w1;
  addrWords[at + 2] = w2;
  addrWords[at + 3] = w3;
}

/** isV4 reports whether words w0..w2 are the IPv4-mapped prefix ::ffff:0:0/96. */
export function isV4(w0: u32, w1: u32, w2: u32): bool {
  return w0 == 0 && w1 == 0 && w2 == 0xffff;
}
