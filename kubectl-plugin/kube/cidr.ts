// cidr.ts: IPv4 and IPv6 CIDRs as integer ranges, to find overlaps between clusters' networks.

/** Range is a CIDR as an inclusive range of addresses in one family. */
export interface Range {
  cidr: string;
  v6: boolean;
  first: bigint;
  last: bigint;
}

function v4(ip: string): bigint | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

function v6(ip: string): bigint | undefined {
  const [head, tail, extra] = ip.split('::');
  if (extra !== undefined) return undefined;
  const groups = (s: string | undefined): string[] => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const all = [...h, ...Array<string>(Math.max(fill, 0)).fill('0'), ...t];
  if (all.length !== 8 || all.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** parseCIDR returns the range of a CIDR (a bare address is a /32 or /128), or undefined. */
export function parseCIDR(cidr: string): Range | undefined {
  const [ip, len] = cidr.trim().split('/');
  const isV6 = ip!.includes(':');
  const bits = isV6 ? 128 : 32;
  const addr = isV6 ? v6(ip!) : v4(ip!);
  const prefix = len === undefined ? bits : Number(len);
  if (addr === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > bits) return undefined;
  const host = (1n << BigInt(bits - prefix)) - 1n;
  const first = addr & ~host & ((1n << BigInt(bits)) - 1n);
  return { cidr: cidr.trim(), v6: isV6, first, last: first | host };
}

/** overlaps says whether two ranges share an address. */
export function overlaps(a: Range, b: Range): boolean {
  return a.v6 === b.v6 && a.first <= b.last && b.first <= a.last;
}

/** Overlap is a pair of CIDRs, one from each side, that share addresses. */
export interface Overlap {
  a: string;
  b: string;
}

/** findOverlaps returns every overlapping pair between the CIDRs of side a and side b. */
export function findOverlaps(a: string[], b: string[]): Overlap[] {
  const ra = a.map(parseCIDR).filter((r): r is Range => r !== undefined);
  const rb = b.map(parseCIDR).filter((r): r is Range => r !== undefined);
  return ra.flatMap((x) => rb.filter((y) => overlaps(x, y)).map((y) => ({ a: x.cidr, b: y.cidr })));
}
