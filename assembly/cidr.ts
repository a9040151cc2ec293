// cidr.ts: the minimal CIDR cover of a set of addresses: the fewest prefixes that cover exactly
// the members. Sort, merge into runs of consecutive addresses, then split each run greedily into
// the largest aligned blocks (optimal per run, and runs are disjoint and non-adjacent).
import { addrWords, isV4 } from './addrs';

const out = new Array<u32>(); // scratch: [family, w0, w1, w2, w3, prefix] per CIDR

/** cidrCoverOfWords covers addresses given as 4 words each (IPv4 as ::ffff:a.b.c.d). */
export function cidrCoverOfWords(words: StaticArray<u32>): Uint32Array {
  const n = words.length >>> 2;
  let v4n = 0;
  for (let i = 0; i < n; i++) if (isV4(words[i * 4], words[i * 4 + 1], words[i * 4 + 2])) v4n++;
  const v4 = new Uint32Array(v4n);
  const hi = new StaticArray<u64>(n - v4n);
  const lo = new StaticArray<u64>(n - v4n);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    const at = i * 4;
    if (isV4(words[at], words[at + 1], words[at + 2])) v4[a++] = words[at + 3];
    else {
      hi[b] = (u64(words[at]) << 32) | u64(words[at + 1]);
      lo[b++] = (u64(words[at + 2]) << 32) | u64(words[at + 3]);
    }
  }
  out.length = 0;
  coverV4(v4);
  coverV6(hi, lo);
  const res = new Uint32Array(out.length);
  for (let i = 0; i < out.length; i++) res[i] = unchecked(out[i]);
  return res;
}

/** cidrCoverOfIds covers addresses given by id (see addrs.ts). */
export function cidrCoverOfIds(ids: Int32Array): Uint32Array {
  const words = new StaticArray<u32>(ids.length * 4);
  for (let i = 0; i < ids.length; i++) {
    for (let w = 0; w < 4; w++) words[i * 4 + w] = addrWords[ids[i] * 4 + w];
  }
  return cidrCoverOfWords(words);
}

// coverV4 sorts the IPv4 members and emits the cover of each run (u64 math avoids overflow).
function coverV4(v: Uint32Array): void {
  if (v.length == 0) return;
  radixSort(v);
  let runStart = u64(v[0]);
  let prev = runStart;
  for (let i = 1; i < v.length; i++) {
    const x = u64(unchecked(v[i]));
    if (x <= prev + 1) {
      prev = max(prev, x);
      continue;
    }
    splitV4(runStart, prev);
    runStart = x;
    prev = x;
  }
  splitV4(runStart, prev);
}

// radixSort sorts 32-bit addresses in two 16-bit LSD passes: linear time, where the generic
// comparison sort of a million addresses dominated the whole cover.
function radixSort(v: Uint32Array): void {
  const n = v.length;
  const tmp = new Uint32Array(n);
  const count = new Uint32Array(65536);
  radixPass(v, tmp, count, 0);
  radixPass(tmp, v, count, 16);
}

function radixPass(src: Uint32Array, dst: Uint32Array, count: Uint32Array, shift: u32): void {
  count.fill(0);
  const n = src.length;
  for (let i = 0; i < n; i++) {
    const b = (unchecked(src[i]) >>> shift) & 0xffff;
    unchecked((count[b] = unchecked(count[b]) + 1));
  }
  let sum: u32 = 0;
  for (let b = 0; b < 65536; b++) {
    const c = unchecked(count[b]);
    unchecked((count[b] = sum));
    sum += c;
  }
  for (let i = 0; i < n; i++) {
    const x = unchecked(src[i]);
    const b = (x >>> shift) & 0xffff;
    const at = unchecked(count[b]);
    unchecked((dst[at] = x));
    unchecked((count[b] = at + 1));
  }
}

function splitV4(s: u64, e: u64): void {
  while (s <= e) {
    let k = s == 0 ? 32 : i32(ctz(s));
    const fit = 63 - i32(clz(e - s + 1)); // largest block that fits in the rest of the run
    if (fit < k) k = fit;
    if (k > 32) k = 32;
    out.push(4);
    out.push(0);
    out.push(0);
    out.push(0);
    out.push(u32(s));
    out.push(32 - k);
    s += u64(1) << u64(k);
  }
}

// The v6 sort compares through these globals: AssemblyScript comparators cannot capture.
let sortHi: StaticArray<u64> = new StaticArray<u64>(0);
let sortLo: StaticArray<u64> = new StaticArray<u64>(0);

function coverV6(hi: StaticArray<u64>, lo: StaticArray<u64>): void {
  const n = hi.length;
  if (n == 0) return;
  sortHi = hi;
  sortLo = lo;
  const order = new Array<i32>(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a: i32, b: i32): i32 => {
    const x = unchecked(sortHi[a]);
    const y = unchecked(sortHi[b]);
    if (x != y) return x < y ? -1 : 1;
    const p = unchecked(sortLo[a]);
    const q = unchecked(sortLo[b]);
    return p == q ? 0 : p < q ? -1 : 1;
  });
  let sh = hi[order[0]];
  let sl = lo[order[0]];
  let ph = sh;
  let pl = sl;
  for (let i = 1; i < n; i++) {
    const xh = hi[order[i]];
    const xl = lo[order[i]];
    if (xh == ph && xl == pl) continue; // duplicate
    const nextL = pl + 1;
    const nextH = nextL == 0 ? ph + 1 : ph;
    if (xh == nextH && xl == nextL) {
      ph = xh;
      pl = xl;
      continue;
    }
    splitV6(sh, sl, ph, pl);
    sh = xh;
    sl = xl;
    ph = xh;
    pl = xl;
  }
  splitV6(sh, sl, ph, pl);
}

// splitV6 emits the greedy cover of the 128-bit run [s, e] (hi/lo halves).
function splitV6(sh: u64, sl: u64, eh: u64, el: u64): void {
  for (;;) {
    const align = sl != 0 ? i32(ctz(sl)) : sh != 0 ? 64 + i32(ctz(sh)) : 128;
    // size = e - s + 1, as 128 bits; it overflows to 0 only for the whole address space.
    let dl = el - sl;
    let dh = eh - sh - (el < sl ? 1 : 0);
    dl += 1;
    if (dl == 0) dh += 1;
    const fit = dh != 0 ? 127 - i32(clz(dh)) : dl != 0 ? 63 - i32(clz(dl)) : 128;
    const k = min(align, fit);
    pushV6(sh, sl, 128 - k);
    if (k == 128) return;
    // s += 2^k; stop when the block ended at e.
    let bh = k >= 64 ? sh + (u64(1) << u64(k - 64)) : sh;
    const bl = k >= 64 ? sl : sl + (u64(1) << u64(k));
    if (k < 64 && bl < sl) bh += 1;
    const lastH = bl == 0 ? bh - 1 : bh;
    const lastL = bl - 1;
    if (lastH == eh && lastL == el) return;
    sh = bh;
    sl = bl;
  }
}

function pushV6(h: u64, l: u64, prefix: i32): void {
  out.push(6);
  out.push(u32(h >> 32));
  out.push(u32(h));
  out.push(u32(l >> 32));
  out.push(u32(l));
  out.push(prefix);
}
