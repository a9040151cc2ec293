// meshstore.ts: the federated endpoints and host endpoints of every cluster, with one
// resourceVersion sequence across clusters. Source kinds (kinds/) turn each cluster's changes into
// mesh changes; the store applies them, updates identities in the selection first, then publishes
// to watchers and selection subscribers (docs/adr/0004-mesh-store-data-flow.md).
import type {
  FederatedEndpoint,
  FederatedHostEndpoint,
  FederatedIPSet,
  FederatedIPSetSlice,
  FederatedService,
} from '../../api/index.js';
import type { Core, EndpointUpdate, ParentUpdate, Selector } from '../../core/index.js';
import type { Logger } from '../log.js';
import { Revision } from '../store/revision.js';
import { Store, type StoreEvent } from '../store/store.js';
import { endpointCodec } from './endpointcodec.js';
import { ClusterBook, type BookKind, type IPConflict } from './clusterbook.js';
import { hostIdentity, hostIdentityParent, workloadIdentity, workloadIdentityParent } from './identity.js';
import { MESH_KINDS } from './kinds/index.js';
import type {
  MeshChanges,
  MeshKind,
  MeshObjects,
  ObjectChange,
  ObjectStoreName,
  SourceChange,
} from './kinds/kind.js';
import { Selection } from './selection.js';
import { ServiceBook, type ServiceEvent } from './services.js';

/** MeshMatch is one endpoint a selector matched. */
export type MeshMatch =
  { kind: 'workload'; obj: FederatedEndpoint } | { kind: 'host'; obj: FederatedHostEndpoint };

/** ClusterEvent tells listeners that a cluster left the mesh (its configuration was removed or its
 * grace period ended), that its data became stale or current again, or that it finished a sync. */
export interface ClusterEvent {
  type: 'removed' | 'stale' | 'current' | 'synced';
  cluster: string;
}

/** MeshStoreOptions configure a MeshStore. */
export interface MeshStoreOptions {
  now?: () => Date;
  /** historySize is the number of events kept per store for watch resumption. */
  historySize?: number;
  kinds?: readonly MeshKind[];
  log?: Logger;
}

/** Indexing says how a store's objects enter the selection: identity and claimed pod IPs. An
 * endpoint's ID in the selection is its store key, the same string: a workload's is namespace/name,
 * a host's (cluster-scoped) is its name, so the two never collide (isWorkloadID). */
interface Indexing<T> {
  identity(id: string, obj: T): EndpointUpdate;
  /** parent is the identity parent the endpoint refers to (identity.ts). */
  parent(obj: T): ParentUpdate;
  claims(obj: T): readonly string[];
}

const INDEXING: { [K in ObjectStoreName]: Indexing<MeshObjects[K]> } = {
  // Host-network pods use their node's IPs; only pod-network IPs claim an address.
  endpoints: {
    identity: workloadIdentity,
    parent: workloadIdentityParent,
    claims: (o) => (o.spec.hostNetwork ? [] : (o.spec.ips ?? [])),
  },
  hosts: { identity: hostIdentity, parent: hostIdentityParent, claims: () => [] },
};

/** isWorkloadID tells a workload's ID in the selection (namespace/name) from a host's (name). */
export const isWorkloadID = (id: string): boolean => id.includes('/');

/** MeshStore holds the federated view of every cluster. */
export class MeshStore {
  readonly revision = new Revision();
  readonly endpoints: Store<FederatedEndpoint>;
  readonly hosts: Store<FederatedHostEndpoint>;
  /** ipSets and ipSetSlices are the IP sets of active policies (apiserver/controllers/policy). */
  readonly ipSets: Store<FederatedIPSet>;
  readonly ipSetSlices: Store<FederatedIPSetSlice>;
  readonly selection: Selection;
  /** services are the Services and EndpointSlices of every cluster (federated services). */
  readonly services: ServiceBook;
  /** federatedServices are served; the federated services controller fills them. */
  readonly federatedServices: Store<FederatedService>;
  readonly #stores: { [K in ObjectStoreName]: Store<MeshObjects[K]> };
  readonly #kinds: Map<string, MeshKind>;
  readonly #now: () => Date;
  readonly #book = new ClusterBook();
  readonly #stale = new Set<string>();
  readonly #started = new Set<string>();
  readonly #everSynced = new Set<string>();
  readonly #parents = new Map<string, Set<string>>();
  /** How many endpoints refer to each identity parent; a parent lives while one does. */
  readonly #identityRefs = new Map<string, number>();
  readonly #clusterListeners = new Set<(e: ClusterEvent) => void>();

  constructor(core: Core, o: MeshStoreOptions = {}) {
    this.endpoints = new Store(this.revision, o.historySize ?? 10_000, endpointCodec);
    this.hosts = new Store(this.revision, o.historySize ?? 10_000);
    this.ipSets = new Store(this.revision, o.historySize ?? 10_000);
    // A slice event carries up to 256 members: a shorter history bounds its memory (a node that
    // falls further behind relists the slices).
    this.ipSetSlices = new Store(this.revision, Math.min(o.historySize ?? 10_000, 1000));
    this.#stores = { endpoints: this.endpoints, hosts: this.hosts };
    this.selection = new Selection(core, o.log);
    this.services = new ServiceBook(core, o.log);
    this.federatedServices = new Store(this.revision, o.historySize ?? 10_000);
    this.#kinds = new Map((o.kinds ?? MESH_KINDS).map((k) => [k.name, k]));
    this.#now = o.now ?? (() => new Date());
  }

  /** kinds are the source kinds every cluster syncs, in sync order. */
  get kinds(): MeshKind[] {
    return [...this.#kinds.values()];
  }

  /** apply applies a batch of one source kind's changes in one cluster. */
  apply(cluster: string, kind: string, changes: readonly SourceChange<unknown>[]): void {
    const k = this.#kinds.get(kind);
    if (!k) throw new Error(`mesh store: no source kind named ${kind}`);
    const planned = k.plan(cluster, changes as SourceChange<never>[], {
      observed: (store, key, resourceVersion) => {
        const e = this.#store(store).get(key);
        // A watch event brings a version the stored text does not hold: no need to decode it.
        if (!e || !resourceVersion || !e.stored.includes(resourceVersion)) return undefined;
        const s = e.obj.status;
        return s?.observedResourceVersion === resourceVersion && s.observedTime
          ? { resourceVersion, time: s.observedTime }
          : undefined;
      },
      now: this.#now,
    });
    this.#applyPlanned(cluster, planned);
  }

  #applyPlanned(cluster: string, m: MeshChanges): void {
    if (m.parents) this.#applyParents(cluster, m.parents.upsert, m.parents.remove);
    if (m.endpoints) this.#applyObjects(cluster, 'endpoints', m.endpoints);
    if (m.hosts) this.#applyObjects(cluster, 'hosts', m.hosts);
    this.selection.publish();
    const events: ServiceEvent[] = [];
    if (m.services)
      events.push(...this.services.applyServices(this.#booked(cluster, 'services', m.services)));
    if (m.slices) events.push(...this.services.applySlices(this.#booked(cluster, 'slices', m.slices)));
    if (m.exports) events.push(...this.services.applyExports(this.#booked(cluster, 'exports', m.exports)));
    if (m.services || m.slices || m.exports) this.services.publish(events);
  }

  // booked records compact objects' keys in the cluster book (epochs, sweeps, removal).
  #booked<T extends { cluster: string; namespace: string; name: string }>(
    cluster: string,
    kind: 'services' | 'slices' | 'exports',
    changes: readonly ObjectChange<T>[],
  ): readonly ObjectChange<T>[] {
    for (const c of changes) {
      if ('delete' in c) this.#book.forget(cluster, kind, c.delete);
      else this.#book.touch(cluster, kind, `${cluster}/${c.upsert.namespace}/${c.upsert.name}`);
    }
    return changes;
  }

  #store<K extends ObjectStoreName>(name: K): Store<MeshObjects[K]> {
    return this.#stores[name];
  }

  #applyParents(cluster: string, up: ParentUpdate[], del: string[]): void {
    let ids = this.#parents.get(cluster);
    if (!ids) this.#parents.set(cluster, (ids = new Set()));
    for (const p of up) ids.add(p.id);
    for (const id of del) ids.delete(id);
    this.selection.updateParents(up, del);
  }

  #applyObjects<K extends ObjectStoreName>(
    cluster: string,
    name: K,
    changes: readonly ObjectChange<MeshObjects[K]>[],
  ): void {
    const stale = this.#stale.has(cluster);
    const staled = changes.map((c) =>
      'upsert' in c && stale ? { upsert: { ...c.upsert, status: { ...c.upsert.status, stale: true } } } : c,
    );
    const store = this.#store(name);
    store.apply(staled, (events) => this.#indexed(cluster, name, events));
    // After the store, so the book keeps the store's key strings rather than copies of them.
    for (const c of staled) {
      const e = 'upsert' in c ? store.get(storeKey(c.upsert)) : undefined;
      if (e) this.#book.touch(cluster, name, e.key);
    }
  }

  // Identities go to the selection before watchers hear of the batch.
  #indexed<K extends ObjectStoreName>(cluster: string, name: K, events: StoreEvent<MeshObjects[K]>[]): void {
    const ix: Indexing<MeshObjects[K]> = INDEXING[name];
    const upserts = events
      .filter((e) => e.type !== 'DELETED')
      .map((e) => ix.identity(e.entry.key, e.entry.obj));
    const deletes = events.filter((e) => e.type === 'DELETED').map((e) => e.entry.key);
    for (const e of events) {
      const gone = e.type === 'DELETED';
      const before = gone ? ix.claims(e.entry.obj) : e.prev ? ix.claims(e.prev.obj) : [];
      if (gone) this.#book.forget(cluster, name, e.entry.key, before);
      else this.#book.claim(e.entry.key, ix.claims(e.entry.obj), before);
    }
    const parents = this.#identityParents(ix, events);
    this.selection.updateParents(parents.upsert, []);
    this.selection.updateEndpoints(upserts, deletes);
    this.selection.updateParents([], parents.remove);
  }

  // identityParents counts the batch's references to identity parents: those first referred to
  // now are upserted before the endpoints, those no longer referred to removed after them.
  #identityParents<T extends MeshObjects[ObjectStoreName]>(
    ix: Indexing<T>,
    events: StoreEvent<T>[],
  ): { upsert: ParentUpdate[]; remove: string[] } {
    const before = new Map<string, number>();
    const made = new Map<string, ParentUpdate>();
    const count = (id: string, by: number): void => {
      const n = this.#identityRefs.get(id) ?? 0;
      if (!before.has(id)) before.set(id, n);
      if (n + by === 0) this.#identityRefs.delete(id);
      else this.#identityRefs.set(id, n + by);
    };
    for (const e of events) {
      const old = e.type === 'DELETED' ? e.entry.obj : e.prev?.obj;
      const now = e.type === 'DELETED' ? undefined : ix.parent(e.entry.obj);
      const was = old && ix.parent(old).id;
      if (was === now?.id) continue;
      if (was !== undefined) count(was, -1);
      if (now) {
        made.set(now.id, now);
        count(now.id, 1);
      }
    }
    const upsert: ParentUpdate[] = [];
    const remove: string[] = [];
    for (const [id, n] of before) {
      const live = this.#identityRefs.has(id);
      if (n === 0 && live) upsert.push(made.get(id)!);
      else if (n > 0 && !live) remove.push(id);
    }
    return { upsert, remove };
  }

  /** newEpoch starts a sync epoch for cluster; sweep(cluster, epoch) later removes what it did not deliver. */
  newEpoch(cluster: string): number {
    this.#started.add(cluster);
    return this.#book.newEpoch(cluster);
  }

  /** syncPending is true while a cluster's first sync since this process started is under way:
   * what the store holds of it is incomplete, and writers leave what they derived from it alone. */
  syncPending(cluster: string): boolean {
    return this.#started.has(cluster) && !this.#everSynced.has(cluster);
  }

  /** sweep removes the cluster's objects not delivered since epoch began (after a syncer restart). */
  sweep(cluster: string, epoch: number): number {
    const deletes = this.#deletes((kind) => this.#book.staleKeys(cluster, kind, epoch));
    this.#applyPlanned(cluster, deletes);
    this.#everSynced.add(cluster);
    this.#tell({ type: 'synced', cluster });
    return deletes.endpoints.length + deletes.hosts.length;
  }

  /** setStale marks every object of a cluster stale (disconnected, data kept) or current again; it
   * does nothing (and tells no one) when the cluster already is so. Syncers report "connected"
   * after every batch they apply, so this is called far more often than the state changes. */
  setStale(cluster: string, stale: boolean): void {
    if (this.#stale.has(cluster) === stale) return;
    if (stale) this.#stale.add(cluster);
    else this.#stale.delete(cluster);
    this.#restamp(cluster, 'endpoints', stale);
    this.#restamp(cluster, 'hosts', stale);
    this.#tell({ type: stale ? 'stale' : 'current', cluster });
  }

  /** isStale reports whether a cluster is disconnected with its data kept. */
  isStale(cluster: string): boolean {
    return this.#stale.has(cluster);
  }

  #tell(e: ClusterEvent): void {
    for (const fn of this.#clusterListeners) fn(e);
  }

  #restamp<K extends ObjectStoreName>(cluster: string, name: K, stale: boolean): void {
    const store = this.#store(name);
    const changes = this.#book.keys(cluster, name).flatMap((k) => {
      const e = store.get(k);
      if (!e || e.obj.status.stale === stale) return [];
      return [{ upsert: { ...e.obj, status: { ...e.obj.status, stale } } }];
    });
    if (changes.length) store.apply(changes);
  }

  /** removeCluster deletes every object and parent of a cluster and tells cluster listeners. */
  removeCluster(cluster: string): void {
    this.#applyParents(cluster, [], [...(this.#parents.get(cluster) ?? [])]);
    this.#applyPlanned(
      cluster,
      this.#deletes((kind) => this.#book.keys(cluster, kind)),
    );
    this.#book.dropCluster(cluster);
    this.#stale.delete(cluster);
    this.#started.delete(cluster);
    this.#parents.delete(cluster);
    this.#tell({ type: 'removed', cluster });
  }

  // deletes turns the keys of every kind into the deletions of a sweep or a removal.
  #deletes(keys: (kind: BookKind) => string[]): Required<Omit<MeshChanges, 'parents'>> {
    const del = (kind: BookKind): { delete: string }[] => keys(kind).map((k) => ({ delete: k }));
    return {
      endpoints: del('endpoints'),
      hosts: del('hosts'),
      services: del('services'),
      slices: del('slices'),
      exports: del('exports'),
    };
  }

  /** onCluster calls fn on every cluster event (removed, stale, current, synced); returns unsubscribe. */
  onCluster(fn: (e: ClusterEvent) => void): () => void {
    this.#clusterListeners.add(fn);
    return () => this.#clusterListeners.delete(fn);
  }

  /** counts returns how many workloads and hosts a cluster has in the mesh. */
  counts(cluster: string): { workloads: number; hosts: number } {
    return { workloads: this.#book.count(cluster, 'endpoints'), hosts: this.#book.count(cluster, 'hosts') };
  }

  /** ipConflicts lists pod IPs claimed in several clusters (involving cluster, when given). */
  ipConflicts(cluster?: string, limit?: number): IPConflict[] {
    return this.#book.conflicts(cluster, limit);
  }

  /** matching returns the endpoints a parsed selector matches now, across every cluster; it reviews
   * in bounded steps that yield to the event loop. */
  async matching(selector: Selector): Promise<MeshMatch[]> {
    return (await this.selection.evaluate(selector)).flatMap((id): MeshMatch[] => {
      if (isWorkloadID(id)) {
        const e = this.endpoints.get(id);
        return e ? [{ kind: 'workload', obj: e.obj }] : [];
      }
      const h = this.hosts.get(id);
      return h ? [{ kind: 'host', obj: h.obj }] : [];
    });
  }
}

const storeKey = (o: { metadata: { name: string; namespace?: string } }): string =>
  o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
