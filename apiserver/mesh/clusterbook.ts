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

/** ClusterBook tracks per-cluster ownership for the mesh store. With a million endpoints it holds
 * a million claims: a claim is the endpoint's key (the store's own string, not a copy), and a
 * second claim on an IP, the rare case, is what turns it into a set. The store tells it which IPs
 * a key claimed before (from the previous version), so it keeps no second map per key. */
export class ClusterBook {
  readonly #clusters = new Map<string, ClusterEntry>();
  /** The endpoint keys claiming each IP: one key, or a set of them. */
  readonly #claims = new Map<string, string | Set<string>>();
  /** The IPs claimed by more than one key: conflicts() reads these alone, not every claim (it
   * runs after every synced batch, and a million claims took about 20 ms to walk). */
  readonly #shared = new Set<string>();

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

  /** forget drops key of cluster (deleted), and the IPs it claimed. */
  forget(cluster: string, kind: BookKind, key: string, claimed: readonly string[] = []): void {
    this.#clusters.get(cluster)?.keys[kind].delete(key);
    this.claim(key, [], claimed);
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

  /** dropCluster forgets a cluster entirely, once its keys have been forgotten. */
  dropCluster(cluster: string): void {
    this.#clusters.delete(cluster);
  }

  /** claim moves the IPs an endpoint key claims from before to ips (empty to release them). */
  claim(key: string, ips: readonly string[], before: readonly string[]): void {
    for (const ip of before) this.#unclaim(ip, key);
    for (const ip of ips) {
      const have = this.#claims.get(ip);
      if (have === undefined || have === key) this.#claims.set(ip, key);
      else if (typeof have === 'string') {
        this.#claims.set(ip, new Set([have, key]));
        this.#shared.add(ip);
      } else have.add(key);
    }
  }

  #unclaim(ip: string, key: string): void {
    const have = this.#claims.get(ip);
    if (have === key) this.#claims.delete(ip);
    else if (typeof have === 'object') {
      have.delete(key);
      if (have.size > 1) return;
      this.#claims.set(ip, [...have][0]!);
      this.#shared.delete(ip);
    }
  }

  // clusterOf finds the cluster whose endpoints include key (clusters are few; conflicts rare).
  #clusterOf(key: string): string | undefined {
    for (const [name, e] of this.#clusters) if (e.keys.endpoints.has(key)) return name;
    return undefined;
  }

  /** conflicts lists IPs claimed by endpoints of more than one cluster (optionally involving cluster). */
  conflicts(cluster?: string, limit = 100): IPConflict[] {
    const out: IPConflict[] = [];
    for (const ip of this.#shared) {
      const keys = this.#claims.get(ip);
      if (typeof keys !== 'object') continue;
      const endpoints = [...keys].flatMap((key) => {
        const c = this.#clusterOf(key);
        return c === undefined ? [] : [{ cluster: c, key }];
      });
      const clusters = new Set(endpoints.map((e) => e.cluster));
      if (clusters.size < 2 || (cluster !== undefined && !clusters.has(cluster))) continue;
      out.push({ ip, endpoints });
      if (out.length >= limit) break;
    }
    return out;
  }
}
