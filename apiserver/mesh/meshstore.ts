// meshstore.ts: the federated endpoints and host endpoints of every cluster, with one
// resourceVersion sequence across clusters, feeding the WASM core's label index (identity labels
// and namespace/service-account parents) for selector reviews and policy.
import type { V1Namespace, V1Node, V1Pod, V1ServiceAccount } from '@kubernetes/client-node';
import type { Core, LabelIndex, Selector } from '../../core/index.js';
import { Revision } from '../store/revision.js';
import { Store, type Change, type Entry } from '../store/store.js';
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

/** MeshStore holds the federated view of every cluster. */
export class MeshStore {
  readonly revision = new Revision();
  readonly endpoints: Store;
  readonly hosts: Store;
  readonly #index: LabelIndex;
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
      return { upsert: podToEndpoint(cluster, c.upsert, observedOf(prev), this.now) };
    });
    this.#applyIndexed(this.endpoints, out, 'w:', workloadIdentity);
  }

  /** applyNodes applies node changes of one cluster. */
  applyNodes(cluster: string, changes: readonly SourceChange<V1Node>[]): void {
    const out: Change[] = changes.map((c) => {
      if ('delete' in c) return { delete: federatedName(cluster, c.delete.name) };
      const prev = this.hosts.get(federatedName(cluster, c.upsert.metadata!.name!));
      return { upsert: nodeToHostEndpoint(cluster, c.upsert, observedOf(prev), this.now) };
    });
    this.#applyIndexed(this.hosts, out, 'h:', hostIdentity);
  }

  /** applyNamespaces updates namespace parents (pcns.* labels) of one cluster. */
  applyNamespaces(cluster: string, changes: readonly SourceChange<V1Namespace>[]): void {
    const up = changes.flatMap((c) =>
      'upsert' in c ? [namespaceParent(cluster, c.upsert.metadata!.name!, c.upsert.metadata!.labels)] : [],
    );
    const del = changes.flatMap((c) => ('delete' in c ? [namespaceParentID(cluster, c.delete.name)] : []));
    if (up.length) this.#index.upsertParents(up);
    if (del.length) this.#index.removeParents(del);
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
    if (up.length) this.#index.upsertParents(up);
    if (del.length) this.#index.removeParents(del);
  }

  #applyIndexed(
    store: Store,
    changes: Change[],
    prefix: string,
    identity: (id: string, o: KObject) => ReturnType<typeof workloadIdentity>,
  ): void {
    const events = store.apply(changes);
    const upserts = events
      .filter((e) => e.type !== 'DELETED')
      .map((e) => identity(prefix + e.entry.key, e.entry.obj));
    const deletes = events.filter((e) => e.type === 'DELETED').map((e) => prefix + e.entry.key);
    if (upserts.length) this.#index.upsertEndpoints(upserts);
    if (deletes.length) this.#index.removeEndpoints(deletes);
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
