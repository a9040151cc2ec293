// cidr.ts: pod CIDR overlaps between clusters (IPv4 and IPv6), from FederatedHostEndpoints.
import { overlaps as rangesOverlap, parseCIDR } from '../../kube/cidr.js';

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
      if (x.cluster === y.cluster || !x.r || !y.r || !rangesOverlap(x.r, y.r)) continue;
      out.push({ a: { cluster: x.cluster, cidr: x.cidr }, b: { cluster: y.cluster, cidr: y.cidr } });
    }
  }
  return out;
}
