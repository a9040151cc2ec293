// ip.ts: IP address parsing and formatting for the core's address table: every address is four
// 32-bit words, IPv4 mapped into ::ffff:0:0/96 so one CIDR algorithm serves both families.

/** Words is one address as four big-endian 32-bit words. */
export type Words = [number, number, number, number];

/** parseIPv4 returns the 32-bit value of a dotted quad (no leading zeros), or null. */
export function parseIPv4(s: string): number | null {
  let v = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 46; // a virtual '.' ends the last octet
    if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return null; // leading zero
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return null;
    } else if (c === 46 && digits > 0) {
      v = v * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else return null;
  }
  return dots === 4 ? v : null;
}

/** parseIP returns the words of an IPv4 or IPv6 address (IPv4-mapped IPv6 counts as IPv4), or null. */
export function parseIP(s: string): Words | null {
  const v4 = parseIPv4(s);
  if (v4 !== null) return [0, 0, 0xffff, v4];
  const groups = parseIPv6Groups(s);
  if (groups === null) return null;
  const w: Words = [0, 0, 0, 0];
  for (let i = 0; i < 4; i++) w[i] = ((groups[2 * i]! << 16) | groups[2 * i + 1]!) >>> 0;
  return w;
}

// parseIPv6Groups returns the eight 16-bit groups of an IPv6 address, or null.
function parseIPv6Groups(s: string): number[] | null {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] === '' ? [] : halves[0]!.split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1]!.split(':') : [];
  const groups = [...hexGroups(head), ...hexGroups(tail)];
  if (groups.includes(-1)) return null;
  const missing = 8 - groups.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const left = hexGroups(head);
  return [...left, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...hexGroups(tail)];
}

// hexGroups converts "1:ab" groups, expanding a trailing dotted quad into two groups; -1 marks junk.
function hexGroups(parts: string[]): number[] {
  const out: number[] = [];
  parts.forEach((p, i) => {
    if (i === parts.length - 1 && p.includes('.')) {
      const v4 = parseIPv4(p);
      if (v4 === null) out.push(-1);
      else out.push(v4 >>> 16, v4 & 0xffff);
    } else out.push(/^[0-9a-fA-F]{1,4}$/.test(p) ? parseInt(p, 16) : -1);
  });
  return out;
}

/** isIPv4Words reports whether words hold an IPv4 address (IPv4-mapped form). */
export function isIPv4Words(w: ArrayLike<number>): boolean {
  return w[0] === 0 && w[1] === 0 && w[2] === 0xffff;
}

/** formatWords renders an address in canonical form (dotted quad, or RFC 5952 IPv6). */
export function formatWords(w: ArrayLike<number>): string {
  if (isIPv4Words(w)) {
    const v = w[3]! >>> 0;
    return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
  }
  const g: number[] = [];
  for (let i = 0; i < 4; i++) g.push(w[i]! >>> 16, w[i]! & 0xffff);
  return formatGroups(g);
}

// formatGroups compresses the longest run (length >= 2, first on ties) of zero groups to "::".
function formatGroups(g: number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return hex.slice(0, best).join(':') + '::' + hex.slice(best + bestLen).join(':');
}

/** canonicalIP returns the canonical form of an address, or null if it is not one. */
export function canonicalIP(s: string): string | null {
  const w = parseIP(s);
  return w === null ? null : formatWords(w);
}

/** formatCidrs renders the core's CIDR records ([family, w0..w3, prefix] each) as strings. */
export function formatCidrs(rec: Uint32Array): string[] {
  const out: string[] = [];
  for (let i = 0; i + 6 <= rec.length; i += 6) {
    const family = rec[i]!;
    const words = rec.subarray(i + 1, i + 5);
    const addr = family === 4 ? formatWords([0, 0, 0xffff, words[3]!]) : formatWords(words);
    out.push(`${addr}/${rec[i + 5]!}`);
  }
  return out;
}

/** Cidr is a parsed prefix: its network address (host bits cleared) and prefix length in its family. */
export interface Cidr {
  family: 4 | 6;
  words: Words;
  prefix: number;
}

/** parseCidr parses "10.0.0.0/8" or "fd00::/64" (host bits are cleared), or returns null. */
export function parseCidr(s: string): Cidr | null {
  const slash = s.indexOf('/');
  if (slash < 0) return null;
  const words = parseIP(s.slice(0, slash));
  const bits = s.slice(slash + 1);
  if (words === null || !/^\d{1,3}$/.test(bits)) return null;
  const family = words[0] === 0 && words[1] === 0 && words[2] === 0xffff && !s.includes(':') ? 4 : 6;
  const prefix = Number(bits);
  if (prefix > (family === 4 ? 32 : 128)) return null;
  const masked = maskWords(words, family === 4 ? prefix + 96 : prefix);
  return { family, words: masked, prefix };
}

// maskWords clears all but the first `bits` bits of the 128-bit address.
function maskWords(w: Words, bits: number): Words {
  return w.map((x, i) => {
    const keep = Math.max(0, Math.min(32, bits - 32 * i));
    return keep === 0 ? 0 : keep === 32 ? x : (x & ~(0xffffffff >>> keep)) >>> 0;
  }) as Words;
}

/** formatCidr renders a parsed prefix canonically. */
export function formatCidr(c: Cidr): string {
  return `${formatWords(c.words)}/${c.prefix}`;
}

/** cidrContains reports whether the address (words from parseIP) is inside the prefix. */
export function cidrContains(c: Cidr, ip: Words): boolean {
  const isV4 = ip[0] === 0 && ip[1] === 0 && ip[2] === 0xffff;
  if (isV4 !== (c.family === 4)) return false;
  const m = maskWords(ip, c.family === 4 ? c.prefix + 96 : c.prefix);
  return m.every((x, i) => x === c.words[i]);
}
