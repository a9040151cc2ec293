// cidr.ts: pod CIDR overlaps between clusters (IPv4 and IPv6), from FederatedHostEndpoints.

interface Range {
  v6: boolean;
  lo: bigint;
  hi: bigint;
}

/** parseCIDR reads a.b.c.d/n or an IPv6 CIDR into an inclusive address range; undefined if invalid. */
export function parseCIDR(cidr: string): Range | undefined {
  const [ip, bits] = cidr.split('/');
  if (ip === undefined || bits === undefined || !/^\d+$/.test(bits)) return undefined;
  const v6 = ip.includes(':');
  const n = v6 ? v6Int(ip) : v4Int(ip);
  const width = v6 ? 128 : 32;
  const prefix = Number(bits);
  if (n === undefined || prefix > width) return undefined;
  const host = (1n << BigInt(width - prefix)) - 1n;
  return { v6, lo: n & ~host, hi: (n & ~host) | host };
}

function v4Int(ip: string): bigint | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n);
}

function v6Int(ip: string): bigint | undefined {
  const [head, tail, extra] = ip.split('::');
  if (extra !== undefined) return undefined;
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill = tail === undefined ? 0 : 8 - h.length - t.length;
  const groups = [...h, ...Array<string>(Math.max(fill, 0)).fill('0'), ...t];
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Overlap is two clusters whose pod CIDRs share addresses. */
export interface Overlap {
  a: { cluster: string; cidr: string };
  b: { cluster: string; cidr: string };
}

/** overlaps compares every pod CIDR of one cluster with those of every other cluster. */
export function overlaps(byCluster: Map<string, string[]>): Overlap[] {
  const all = [...byCluster].flatMap(([cluster, cidrs]) =>
    cidrs.map((cidr) => ({ cluster, cidr, r: parseCIDR(cidr) })),
  );
  const out: Overlap[] = [];
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const x = all[i]!;
      const y = all[j]!;
      if (x.cluster === y.cluster || !x.r || !y.r || x.r.v6 !== y.r.v6) continue;
      if (x.r.lo <= y.r.hi && y.r.lo <= x.r.hi)
        out.push({ a: { cluster: x.cluster, cidr: x.cidr }, b: { cluster: y.cluster, cidr: y.cidr } });
    }
  }
  return out;
}
