// ipsets.ts: the served form of the IP sets of active policies. Each set is a FederatedIPSet
// (selector, users, counts) and its members sit in FederatedIPSetSlices of at most SLICE_SIZE
// addresses (docs/adr/0008-ip-set-slices.md): a member stays in its slice until it leaves, new
// members fill the lowest slice with room, so one member change rewrites one small slice.
import {
  FEDERATED_IP_SETS,
  GROUP_VERSION,
  type FederatedIPSet,
  type FederatedIPSetSlice,
  type IPSetSpec,
} from '../../../api/index.js';
import type { Store } from '../../store/store.js';

/** SLICE_SIZE is the most members a FederatedIPSetSlice holds. */
export const SLICE_SIZE = 256;
/** MAX_COVER is the most prefixes status.cidrs lists (a larger cover is left out). */
export const MAX_COVER = 64;
/** MAX_COVER_MEMBERS bounds the sets whose cover is computed on each change (a larger set's cover
 * rarely fits MAX_COVER, and computing it is linear in the members). */
export const MAX_COVER_MEMBERS = 1024;
/** IPSET_LABEL labels a slice with the name of its set. */
export const IPSET_LABEL = 'federated.mesh/ipset';

/** sliceName names slice n of a set. */
export const sliceName = (set: string, n: number): string => `${set}-${n}`;

interface SetState {
  spec: IPSetSpec;
  policies: Set<string>;
  created: string;
  /** slot of each member; slices[slot] lists the slot's members. */
  slotOf: Map<string, number>;
  slices: Set<string>[];
  clusters: Map<string, number>;
}

/** IPSetStores are the stores the book writes. */
export interface IPSetStores {
  sets: Store<FederatedIPSet>;
  slices: Store<FederatedIPSetSlice>;
}

/** IPSetBook owns the served IP sets: which policies use each, and the slice of every member. */
export class IPSetBook {
  readonly #sets = new Map<string, SetState>();

  constructor(
    private readonly stores: IPSetStores,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** has reports whether a set is served. */
  has(name: string): boolean {
    return this.#sets.has(name);
  }

  /** use records that policy uses the set; it returns true when the set is new. */
  use(spec: IPSetSpec, policy: string): boolean {
    let s = this.#sets.get(spec.name);
    const fresh = s === undefined;
    if (s === undefined) {
      s = {
        spec,
        policies: new Set(),
        created: iso(this.now()),
        slotOf: new Map(),
        slices: [],
        clusters: new Map(),
      };
      this.#sets.set(spec.name, s);
    }
    s.policies.add(policy);
    return fresh;
  }

  /** release drops policy's use of the set; it returns true when no policy uses it any more (the
   * set and its slices are then deleted). */
  release(name: string, policy: string): boolean {
    const s = this.#sets.get(name);
    if (!s) return false;
    s.policies.delete(policy);
    if (s.policies.size > 0) return false;
    this.#sets.delete(name);
    this.stores.slices.apply(s.slices.map((_, i) => ({ delete: sliceName(name, i) })));
    this.stores.sets.apply([{ delete: name }]);
    return true;
  }

  /** update applies member and cluster-count changes and writes what they touched. */
  update(
    name: string,
    added: readonly string[],
    removed: readonly string[],
    clusters: Map<string, number>,
    cidrs: () => string[],
  ): void {
    const s = this.#sets.get(name);
    if (!s) return;
    const touched = new Set<number>();
    for (const ip of removed) {
      const slot = s.slotOf.get(ip);
      if (slot === undefined) continue;
      s.slotOf.delete(ip);
      s.slices[slot]!.delete(ip);
      touched.add(slot);
    }
    let free = 0;
    for (const ip of added) {
      if (s.slotOf.has(ip)) continue;
      while (free < s.slices.length && s.slices[free]!.size >= SLICE_SIZE) free++;
      if (free === s.slices.length) s.slices.push(new Set());
      s.slices[free]!.add(ip);
      s.slotOf.set(ip, free);
      touched.add(free);
    }
    for (const [cluster, delta] of clusters) {
      const n = (s.clusters.get(cluster) ?? 0) + delta;
      if (n > 0) s.clusters.set(cluster, n);
      else s.clusters.delete(cluster);
    }
    this.#writeSlices(s, touched);
    this.#writeSet(s, cidrs);
  }

  /** touch rewrites the set object (its users changed). */
  touch(name: string, cidrs: () => string[]): void {
    const s = this.#sets.get(name);
    if (s) this.#writeSet(s, cidrs);
  }

  // writeSlices writes the touched slices; empty slices at the end are deleted (inner empty slices
  // stay, so no member moves).
  #writeSlices(s: SetState, touched: Set<number>): void {
    const changes = [...touched].sort((a, b) => a - b).map((i) => ({ upsert: this.#slice(s, i) }));
    const gone: { delete: string }[] = [];
    while (s.slices.length > 0 && s.slices[s.slices.length - 1]!.size === 0) {
      s.slices.pop();
      gone.push({ delete: sliceName(s.spec.name, s.slices.length) });
    }
    const live = changes.filter(
      (c) => Number(c.upsert.metadata.name.slice(s.spec.name.length + 1)) < s.slices.length,
    );
    this.stores.slices.apply([...live, ...gone]);
  }

  #slice(s: SetState, i: number): FederatedIPSetSlice {
    return {
      apiVersion: GROUP_VERSION,
      kind: 'FederatedIPSetSlice',
      metadata: {
        name: sliceName(s.spec.name, i),
        labels: { [IPSET_LABEL]: s.spec.name },
        creationTimestamp: s.created,
      },
      ipSet: s.spec.name,
      members: [...s.slices[i]!].sort(),
    };
  }

  #writeSet(s: SetState, cidrs: () => string[]): void {
    const cover = s.slotOf.size > 0 && s.slotOf.size <= MAX_COVER_MEMBERS ? cidrs() : [];
    const obj: FederatedIPSet = {
      apiVersion: GROUP_VERSION,
      kind: FEDERATED_IP_SETS.kind,
      metadata: { name: s.spec.name, creationTimestamp: s.created },
      spec: { selector: s.spec.selector, uniqueID: s.spec.uniqueID, policies: [...s.policies].sort() },
      status: {
        members: s.slotOf.size,
        clusters: [...s.clusters.keys()].sort(),
        slices: s.slices.length,
        ...(cover.length <= MAX_COVER && s.slotOf.size <= MAX_COVER_MEMBERS && { cidrs: cover }),
      },
    };
    this.stores.sets.apply([{ upsert: obj }]);
  }
}

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
