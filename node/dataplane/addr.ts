// addr.ts: address helpers of the dataplane: families, the IPv6 link-local address the kernel
// derives from a MAC (the IPv6 next hop of a remote VTEP), and CIDR containment.
import { isIP } from 'node:net';
import { canonicalIP, formatWords, parseIP, type Words } from '../../core/ip.js';

/** family of a CIDR or address: 4 or 6 (0 when neither). */
export function family(cidrOrIP: string): 4 | 6 | 0 {
  const v = isIP(cidrOrIP.split('/')[0]!);
  return v === 4 || v === 6 ? v : 0;
}

/** linkLocalFromMAC is the EUI-64 IPv6 link-local address of a MAC (fe80::<modified EUI-64>). */
export function linkLocalFromMAC(mac: string): string {
  const b = mac.split(':').map((x) => parseInt(x, 16));
  const e = [b[0]! ^ 0x02, b[1]!, b[2]!, 0xff, 0xfe, b[3]!, b[4]!, b[5]!];
  const groups = [0, 2, 4, 6].map((i) => ((e[i]! << 8) | e[i + 1]!).toString(16));
  // Canonical (RFC 5952) as the kernel prints it, so observed and desired keys compare equal.
  return canonicalIP(`fe80::${groups.join(':')}`)!;
}

interface Range {
  cidr: string;
  lo: bigint;
  hi: bigint;
}

const toBig = (w: Words): bigint => w.reduce((acc, x) => (acc << 32n) | BigInt(x >>> 0), 0n);

// range of a CIDR in the 128-bit space (IPv4 mapped, as core/ip.ts does), or undefined if invalid.
function range(cidr: string): Range | undefined {
  const [ip, len] = cidr.split('/');
  const w = ip ? parseIP(ip) : null;
  const n = Number(len);
  if (!w || len === undefined || !Number.isInteger(n)) return undefined;
  const bits = family(cidr) === 4 ? n + 96 : n;
  if (bits < 0 || bits > 128) return undefined;
  const host = (1n << BigInt(128 - bits)) - 1n;
  const lo = toBig(w) & ~host;
  const words = [96n, 64n, 32n, 0n].map((s) => Number((lo >> s) & 0xffffffffn));
  return { cidr: `${formatWords(words)}/${n}`, lo, hi: lo | host };
}

/** canonicalCIDR is a CIDR with host bits cleared and the address in canonical form, or undefined. */
export const canonicalCIDR = (cidr: string): string | undefined => range(cidr)?.cidr;

/** outermost keeps the valid CIDRs (canonical) not inside another (nft interval sets refuse overlaps), sorted. */
export function outermost(cidrs: Iterable<string>): string[] {
  const ranges = [...new Set(cidrs)]
    .map(range)
    .filter((r): r is Range => r !== undefined)
    .sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : a.hi > b.hi ? -1 : 1));
  const out: Range[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r.lo <= last.hi) continue; // CIDRs nest or are disjoint: overlap means inside
    out.push(r);
  }
  return out.map((r) => r.cidr);
}
