// clusterbook.ts: which stored keys and parents belong to which cluster, in which sync epoch they
// were last seen (so a restarted syncer can sweep what vanished), and which pod IPs are claimed
// by more than one cluster (overlapping pod CIDRs are reported, never merged).

/** Kind is a per-cluster key space of the mesh store. */
export type BookKind = 'endpoints' | 'hosts' | 'services' | 'slices' | 'exports';

interface ClusterEntry {
  epoch: number;
  keys: Record<BookKind, Map<string, number>>;
}

/** IPConflict is one IP claimed by endpoints of several clusters. */
export interface IPConflict {
  ip: string;
  endpoints: { cluster: string; key: string }[];
}

/** ClusterBook tracks per-cluster ownership for the mesh store. */
export class ClusterBook {
  readonly #clusters = new Map<string, ClusterEntry>();
  readonly #claims = new Map<string, Map<string, string>>();
  readonly #claimsOf = new Map<string, string[]>();

  #entry(cluster: string): ClusterEntry {
    let e = this.#clusters.get(cluster);
    if (!e) {
      e = {
        epoch: 0,
        keys: {
          endpoints: new Map(),
          hosts: new Map(),
          services: new Map(),
          slices: new Map(),
          exports: new Map(),
        },
      };
      this.#clusters.set(cluster, e);
    }
    return e;
  }

  /** newEpoch starts a new sync epoch for cluster (a restarted syncer) and returns it. */
  newEpoch(cluster: string): number {
    return ++this.#entry(cluster).epoch;
  }

  /** touch records that key of cluster was delivered in the current epoch. */
  touch(cluster: string, kind: BookKind, key: string): void {
    const e = this.#entry(cluster);
    e.keys[kind].set(key, e.epoch);
  }

  /** forget drops key of cluster (deleted). */
  forget(cluster: string, kind: BookKind, key: string): void {
    this.#clusters.get(cluster)?.keys[kind].delete(key);
    this.claim(key, cluster, []);
  }

  /** keys lists the keys of a cluster's kind. */
  keys(cluster: string, kind: BookKind): string[] {
    return [...(this.#clusters.get(cluster)?.keys[kind].keys() ?? [])];
  }

  /** staleKeys lists keys of a cluster's kind last seen before epoch. */
  staleKeys(cluster: string, kind: BookKind, epoch: number): string[] {
    const m = this.#clusters.get(cluster)?.keys[kind];
    return m ? [...m].filter(([, e]) => e < epoch).map(([k]) => k) : [];
  }

  /** count returns how many keys of kind a cluster has. */
  count(cluster: string, kind: BookKind): number {
    return this.#clusters.get(cluster)?.keys[kind].size ?? 0;
  }

  /** dropCluster forgets a cluster entirely. */
  dropCluster(cluster: string): void {
    for (const key of this.keys(cluster, 'endpoints')) this.claim(key, cluster, []);
    this.#clusters.delete(cluster);
  }

  /** claim sets the IPs an endpoint key claims (empty to release them). */
  claim(key: string, cluster: string, ips: readonly string[]): void {
    for (const ip of this.#claimsOf.get(key) ?? []) {
      const m = this.#claims.get(ip);
      m?.delete(key);
      if (m?.size === 0) this.#claims.delete(ip);
    }
    if (ips.length === 0) this.#claimsOf.delete(key);
    else this.#claimsOf.set(key, [...ips]);
    for (const ip of ips) {
      let m = this.#claims.get(ip);
      if (!m) this.#claims.set(ip, (m = new Map<string, string>()));
      m.set(key, cluster);
    }
  }

  /** conflicts lists IPs claimed by endpoints of more than one cluster (optionally involving cluster). */
  conflicts(cluster?: string, limit = 100): IPConflict[] {
    const out: IPConflict[] = [];
    for (const [ip, m] of this.#claims) {
      if (m.size < 2) continue;
      const clusters = new Set(m.values());
      if (clusters.size < 2 || (cluster !== undefined && !clusters.has(cluster))) continue;
      out.push({ ip, endpoints: [...m].map(([key, c]) => ({ cluster: c, key })) });
      if (out.length >= limit) break;
    }
    return out;
  }
}
