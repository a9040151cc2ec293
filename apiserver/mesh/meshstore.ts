// meshstore.ts: the federated endpoints and host endpoints of every cluster, with one
// resourceVersion sequence across clusters, feeding the WASM core's label index (identity labels
// and namespace/service-account parents) for selector reviews and policy.
import type { V1Namespace, V1Node, V1Pod, V1ServiceAccount } from '@kubernetes/client-node';
import type { Core, LabelIndex, ParentUpdate, Selector } from '../../core/index.js';
import { Revision } from '../store/revision.js';
import { objectKey, Store, type Change, type Entry } from '../store/store.js';
import { ClusterBook, type BookKind, type IPConflict } from './clusterbook.js';
import type { KObject } from '../types.js';
import { federatedName, nodeToHostEndpoint, podToEndpoint, type Observed } from './convert.js';
import {
  hostIdentity,
  namespaceParent,
  namespaceParentID,
  serviceAccountParent,
  serviceAccountParentID,
  workloadIdentity,
} from './identity.js';

/** SourceChange is an upsert of a source object, or the deletion of one by namespace and name. */
export type SourceChange<T> = { upsert: T } | { delete: { namespace?: string; name: string } };

/** ReviewMatch is one endpoint matched by a selector review. */
export interface ReviewMatch {
  cluster: string;
  namespace?: string;
  name: string;
  kind: 'workload' | 'host';
  ips: string[];
}

/** ReviewResult is the outcome of evaluating a selector across the mesh. */
export interface ReviewResult {
  matchCount: number;
  matches: ReviewMatch[];
  cidrs: string[];
}

const observedOf = (e: Entry | undefined): Observed | undefined => {
  const s = e?.obj.status as { observedResourceVersion?: string; observedTime?: string } | undefined;
  return s?.observedResourceVersion && s.observedTime
    ? { resourceVersion: s.observedResourceVersion, time: s.observedTime }
    : undefined;
};

// Host-network pods use their node's IPs; only pod-network IPs claim an address.
function claimedIPs(fep: KObject): string[] {
  const spec = fep.spec as { ips: string[]; hostNetwork: boolean };
  return spec.hostNetwork ? [] : spec.ips;
}

/** MeshStore holds the federated view of every cluster. */
export class MeshStore {
  readonly revision = new Revision();
  readonly endpoints: Store;
  readonly hosts: Store;
  readonly #index: LabelIndex;
  readonly #book = new ClusterBook();
  readonly #stale = new Set<string>();
  readonly #parents = new Map<string, Set<string>>();
  #reviews = 0;

  constructor(
    private readonly core: Core,
    private readonly now: () => Date = () => new Date(),
    historySize = 10_000,
  ) {
    this.endpoints = new Store(this.revision, historySize);
    this.hosts = new Store(this.revision, historySize);
    this.#index = core.newIndex({ recordEvents: false });
  }

  /** applyPods applies pod changes of one cluster. */
  applyPods(cluster: string, changes: readonly SourceChange<V1Pod>[]): void {
    const out: Change[] = changes.map((c) => {
      if ('delete' in c) return { delete: `${c.delete.namespace}/${federatedName(cluster, c.delete.name)}` };
      const md = c.upsert.metadata!;
      const prev = this.endpoints.get(`${md.namespace}/${federatedName(cluster, md.name!)}`);
      return { upsert: this.#staled(cluster, podToEndpoint(cluster, c.upsert, observedOf(prev), this.now)) };
    });
    this.#applyIndexed(cluster, 'endpoints', out);
  }

  /** applyNodes applies node changes of one cluster. */
  applyNodes(cluster: string, changes: readonly SourceChange<V1Node>[]): void {
    const out: Change[] = changes.map((c) => {
      if ('delete' in c) return { delete: federatedName(cluster, c.delete.name) };
      const prev = this.hosts.get(federatedName(cluster, c.upsert.metadata!.name!));
      return {
        upsert: this.#staled(cluster, nodeToHostEndpoint(cluster, c.upsert, observedOf(prev), this.now)),
      };
    });
    this.#applyIndexed(cluster, 'hosts', out);
  }

  /** applyNamespaces updates namespace parents (pcns.* labels) of one cluster. */
  applyNamespaces(cluster: string, changes: readonly SourceChange<V1Namespace>[]): void {
    const up = changes.flatMap((c) =>
      'upsert' in c ? [namespaceParent(cluster, c.upsert.metadata!.name!, c.upsert.metadata!.labels)] : [],
    );
    const del = changes.flatMap((c) => ('delete' in c ? [namespaceParentID(cluster, c.delete.name)] : []));
    this.#applyParents(cluster, up, del);
  }

  /** applyServiceAccounts updates service-account parents (pcsa.* labels) of one cluster. */
  applyServiceAccounts(cluster: string, changes: readonly SourceChange<V1ServiceAccount>[]): void {
    const up = changes.flatMap((c) =>
      'upsert' in c
        ? [
            serviceAccountParent(
              cluster,
              c.upsert.metadata!.namespace!,
              c.upsert.metadata!.name!,
              c.upsert.metadata!.labels,
            ),
          ]
        : [],
    );
    const del = changes.flatMap((c) =>
      'delete' in c ? [serviceAccountParentID(cluster, c.delete.namespace!, c.delete.name)] : [],
    );
    this.#applyParents(cluster, up, del);
  }

  #applyParents(cluster: string, up: ParentUpdate[], del: string[]): void {
    let ids = this.#parents.get(cluster);
    if (!ids) this.#parents.set(cluster, (ids = new Set()));
    for (const p of up) ids.add(p.id);
    for (const id of del) ids.delete(id);
    if (up.length) this.#index.upsertParents(up);
    if (del.length) this.#index.removeParents(del);
  }

  #staled(cluster: string, obj: KObject): KObject {
    if (!this.#stale.has(cluster)) return obj;
    return { ...obj, status: { ...(obj.status as object), stale: true } };
  }

  #applyIndexed(cluster: string, kind: BookKind, changes: Change[]): void {
    const store = kind === 'endpoints' ? this.endpoints : this.hosts;
    for (const c of changes) if ('upsert' in c) this.#book.touch(cluster, kind, objectKey(c.upsert));
    const events = store.apply(changes);
    const prefix = kind === 'endpoints' ? 'w:' : 'h:';
    const identity = kind === 'endpoints' ? workloadIdentity : hostIdentity;
    const upserts = events
      .filter((e) => e.type !== 'DELETED')
      .map((e) => identity(prefix + e.entry.key, e.entry.obj));
    const deletes = events.filter((e) => e.type === 'DELETED').map((e) => prefix + e.entry.key);
    for (const e of events) {
      if (e.type === 'DELETED') this.#book.forget(cluster, kind, e.entry.key);
      else if (kind === 'endpoints') this.#book.claim(e.entry.key, cluster, claimedIPs(e.entry.obj));
    }
    if (upserts.length) this.#index.upsertEndpoints(upserts);
    if (deletes.length) this.#index.removeEndpoints(deletes);
  }

  /** newEpoch starts a sync epoch for cluster; sweep(cluster, epoch) later removes what it did not deliver. */
  newEpoch(cluster: string): number {
    return this.#book.newEpoch(cluster);
  }

  /** sweep removes the cluster's objects not delivered since epoch began (after a syncer restart). */
  sweep(cluster: string, epoch: number): number {
    const eps = this.#book.staleKeys(cluster, 'endpoints', epoch);
    const hosts = this.#book.staleKeys(cluster, 'hosts', epoch);
    this.#applyIndexed(
      cluster,
      'endpoints',
      eps.map((k) => ({ delete: k })),
    );
    this.#applyIndexed(
      cluster,
      'hosts',
      hosts.map((k) => ({ delete: k })),
    );
    return eps.length + hosts.length;
  }

  /** setStale marks every object of a cluster stale (disconnected, data kept) or current again. */
  setStale(cluster: string, stale: boolean): void {
    if (stale) this.#stale.add(cluster);
    else this.#stale.delete(cluster);
    for (const kind of ['endpoints', 'hosts'] as const) {
      const store = kind === 'endpoints' ? this.endpoints : this.hosts;
      const changes: Change[] = this.#book.keys(cluster, kind).flatMap((k) => {
        const e = store.get(k);
        if (!e || (e.obj.status as { stale?: boolean }).stale === stale) return [];
        return [{ upsert: { ...e.obj, status: { ...(e.obj.status as object), stale } } }];
      });
      if (changes.length) store.apply(changes);
    }
  }

  /** removeCluster deletes every object and parent of a cluster (its configuration was removed). */
  removeCluster(cluster: string): void {
    this.#applyIndexed(
      cluster,
      'endpoints',
      this.#book.keys(cluster, 'endpoints').map((k) => ({ delete: k })),
    );
    this.#applyIndexed(
      cluster,
      'hosts',
      this.#book.keys(cluster, 'hosts').map((k) => ({ delete: k })),
    );
    this.#book.dropCluster(cluster);
    this.#stale.delete(cluster);
    this.#applyParents(cluster, [], [...(this.#parents.get(cluster) ?? [])]);
    this.#parents.delete(cluster);
  }

  /** counts returns how many workloads and hosts a cluster has in the mesh. */
  counts(cluster: string): { workloads: number; hosts: number } {
    return { workloads: this.#book.count(cluster, 'endpoints'), hosts: this.#book.count(cluster, 'hosts') };
  }

  /** ipConflicts lists pod IPs claimed in several clusters (involving cluster, when given). */
  ipConflicts(cluster?: string, limit?: number): IPConflict[] {
    return this.#book.conflicts(cluster, limit);
  }

  /** review evaluates a parsed selector across every endpoint (optionally one namespace). */
  review(selector: Selector, namespace: string | undefined, limit: number): ReviewResult {
    const id = `review:${++this.#reviews}`;
    this.#index.addSelector(id, selector);
    let ids: string[];
    try {
      ids = this.#index.matching(id);
    } finally {
      this.#index.removeSelector(id);
    }
    const matches = ids
      .map((i) => this.#match(i))
      .filter(
        (m): m is ReviewMatch => m !== undefined && (namespace === undefined || m.namespace === namespace),
      )
      .sort((a, b) => (a.namespace ?? '').localeCompare(b.namespace ?? '') || a.name.localeCompare(b.name));
    const cidrs = this.core.cidrCover(matches.flatMap((m) => m.ips));
    return { matchCount: matches.length, matches: matches.slice(0, limit), cidrs };
  }

  #match(indexID: string): ReviewMatch | undefined {
    const workload = indexID.startsWith('w:');
    const e = (workload ? this.endpoints : this.hosts).get(indexID.slice(2));
    if (!e) return undefined;
    const spec = e.obj.spec as { cluster: string; ips?: string[]; addresses?: { address: string }[] };
    const ips = workload ? (spec.ips ?? []) : (hostIdentity('', e.obj).ips ?? []);
    const m: ReviewMatch = {
      cluster: spec.cluster,
      name: e.obj.metadata.name,
      kind: workload ? 'workload' : 'host',
      ips: [...ips],
    };
    if (e.obj.metadata.namespace) m.namespace = e.obj.metadata.namespace;
    return m;
  }
}
