// controller.ts: the policy controller. It watches MeshNetworkPolicies in the local cluster,
// compiles each (core/policy), subscribes every IP set a valid policy names to the mesh's
// selection, and keeps the served FederatedIPSets and their slices current from the selection's
// IP-set deltas. An invalid policy uses no set and gets Valid=False naming every field at fault;
// the sets of other policies are untouched. Every replica serves the sets; only the leader writes
// policy status.
import {
  CustomObjectsApi,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import { MESH_NETWORK_POLICIES as MNP, type MeshNetworkPolicy } from '../../../api/index.js';
import type { Core } from '../../../core/index.js';
import { compilePolicy } from '../../../core/policy/compile.js';
import { runInformer } from '../../informer.js';
import type { Logger } from '../../log.js';
import type { Selection, SelectionEvent } from '../../mesh/selection.js';
import { IPSetBook, type IPSetStores } from './ipsets.js';
import type { PolicyStatusWriter, PolicyStatus } from './status.js';

/** PolicyControllerDeps are what the controller is built from. */
export interface PolicyControllerDeps {
  core: Core;
  selection: Selection;
  stores: IPSetStores;
  log: Logger;
  /** status writes MeshNetworkPolicy status (leader-gated); absent in tests that only compute. */
  status?: PolicyStatusWriter;
  now?: () => Date;
}

const policyKey = (p: MeshNetworkPolicy): string => `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`;

// clusterOf reads the cluster from a selection endpoint ID: "<ns>/<cluster>.<pod>" or "<cluster>.<node>".
function clusterOf(id: string): string {
  const name = id.slice(id.indexOf('/') + 1);
  return name.slice(0, name.indexOf('.'));
}

/** PolicyController turns MeshNetworkPolicies into served IP sets. */
export class PolicyController {
  readonly #book: IPSetBook;
  readonly #uses = new Map<string, string[]>(); // policy key → set names it uses
  readonly #unsubscribe: () => void;
  #informer?: Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
  #cluster?: string;
  #stopped = false;

  constructor(private readonly d: PolicyControllerDeps) {
    this.#book = new IPSetBook(d.stores, d.now);
    this.#unsubscribe = d.selection.subscribe((e) => this.#onSelection(e));
  }

  /** start watches the local cluster's policies; the cluster's mesh name scopes their selectors. */
  start(kc: KubeConfig, localCluster: string): void {
    this.#cluster = localCluster;
    const api = kc.makeApiClient(CustomObjectsApi);
    const gvr = { group: MNP.group, version: MNP.version, plural: MNP.plural };
    const inf = makeInformer<KubernetesObject>(
      kc,
      `/apis/${MNP.group}/${MNP.version}/${MNP.plural}`,
      () => api.listCustomObjectForAllNamespaces(gvr) as never,
    );
    // Custom objects arrive as JSON; the informer's type only knows built-in metadata.
    const mnp = (o: KubernetesObject): MeshNetworkPolicy => o as unknown as MeshNetworkPolicy;
    inf.on('add', (o) => this.apply(mnp(o)));
    inf.on('update', (o) => this.apply(mnp(o)));
    inf.on('delete', (o) => this.remove(policyKey(mnp(o))));
    this.#informer = inf;
    void runInformer(inf, {
      what: MNP.plural,
      log: this.d.log,
      stopped: () => this.#stopped,
      hint: (code) =>
        code === 404 ? ' (is the MeshNetworkPolicy CRD installed? run: kubectl mesh install)' : '',
    });
  }

  /** stop ends the watch and the selection subscription. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe();
    this.d.status?.stop();
    await this.#informer?.stop();
  }

  /** apply compiles a policy (added or changed) and moves its set uses to the result. */
  apply(p: MeshNetworkPolicy, localCluster = this.#cluster): void {
    if (localCluster === undefined) throw new Error('policy controller: local cluster unknown (start first)');
    const key = policyKey(p);
    const r = compilePolicy(this.d.core, p, localCluster);
    const status: PolicyStatus =
      'problems' in r
        ? { valid: false, problems: r.problems, ipSets: [] }
        : { valid: true, ipSets: r.sets.map((s) => s.name).sort() };
    const before = this.#uses.get(key) ?? [];
    const sets = 'problems' in r ? [] : r.sets;
    for (const s of sets) {
      if (this.#book.use(s, key)) this.#subscribe(s.name, s.selector);
      this.#book.touch(s.name, () => this.d.selection.ipSetCidrs(s.name));
    }
    this.#uses.set(key, status.ipSets);
    for (const name of before) if (!status.ipSets.includes(name)) this.#release(name, key);
    if (status.ipSets.length === 0) this.#uses.delete(key);
    this.d.status?.publish(p, status);
  }

  /** remove drops a deleted policy's set uses. */
  remove(key: string): void {
    for (const name of this.#uses.get(key) ?? []) this.#release(name, key);
    this.#uses.delete(key);
    this.d.status?.forget(key);
  }

  #subscribe(name: string, selector: string): void {
    // The selection publishes the new set's members at once; the book already knows the set.
    this.d.selection.addSelector(name, selector, { ipSet: true });
  }

  #release(name: string, key: string): void {
    if (this.#book.release(name, key)) this.d.selection.removeSelector(name);
    else this.#book.touch(name, () => this.d.selection.ipSetCidrs(name));
  }

  #onSelection(e: SelectionEvent): void {
    const clusters = new Map<string, Map<string, number>>();
    for (const m of e.matches) {
      if (!this.#book.has(m.selector)) continue;
      const per = clusters.get(m.selector) ?? new Map<string, number>();
      const c = clusterOf(m.endpoint);
      per.set(c, (per.get(c) ?? 0) + (m.started ? 1 : -1));
      clusters.set(m.selector, per);
    }
    const names = new Set([...clusters.keys(), ...[...e.ipSets.keys()].filter((n) => this.#book.has(n))]);
    for (const name of names) {
      const d = e.ipSets.get(name) ?? { added: [], removed: [] };
      this.#book.update(name, d.added, d.removed, clusters.get(name) ?? new Map<string, number>(), () =>
        this.d.selection.ipSetCidrs(name),
      );
    }
  }
}
