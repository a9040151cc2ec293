// services.ts: the Services and EndpointSlices of every cluster, in compact form, with a label
// index of the Services that can back a federated service (every Service without a federation
// annotation). Consumers hear which services changed (ServiceEvent) and follow selector matches
// through the index's Selection.
import { CLUSTER_LABEL, NAMESPACE_LABEL } from '../../api/index.js';
import type { Core, EndpointUpdate } from '../../core/index.js';
import type { Logger } from '../log.js';
import { serviceKey, type MeshExport, type MeshService, type MeshSlice } from './kinds/compact.js';
import type { ObjectChange } from './kinds/kind.js';
import { Selection } from './selection.js';

/** ServiceEvent says that a Service, or the slices of one, changed in a cluster. */
export interface ServiceEvent {
  kind: 'service' | 'slice' | 'export';
  cluster: string;
  namespace: string;
  /** service is the Service's name (for slices: the kubernetes.io/service-name label). */
  service: string;
}

/** backingIdentity is what a federated-service selector sees of a Service (Calico's rules). */
export function backingIdentity(s: MeshService): EndpointUpdate {
  return {
    id: serviceKey(s.cluster, s.namespace, s.name),
    labels: {
      ...s.labels,
      [CLUSTER_LABEL]: s.cluster,
      [NAMESPACE_LABEL]: s.namespace,
      'projectcalico.org/namespace': s.namespace,
    },
  };
}

/** ServiceBook holds the compact Services and EndpointSlices of every cluster. */
export class ServiceBook {
  /** selection indexes backing Services by label; selector IDs are up to its subscribers. */
  readonly selection: Selection;
  readonly #services = new Map<string, MeshService>();
  readonly #slices = new Map<string, MeshSlice>();
  readonly #byService = new Map<string, Set<string>>();
  readonly #listeners = new Set<(events: ServiceEvent[]) => void>();
  readonly #exports = new Map<string, MeshExport>();
  readonly #exportsByName = new Map<string, Set<string>>();

  constructor(core: Core, log?: Logger) {
    this.selection = new Selection(core, log);
  }

  /** service returns the Service under cluster/namespace/name. */
  service(key: string): MeshService | undefined {
    return this.#services.get(key);
  }

  /** slicesOf returns the slices of a Service (by its service-name label), sorted by name. */
  slicesOf(cluster: string, namespace: string, service: string): MeshSlice[] {
    const keys = this.#byService.get(serviceKey(cluster, namespace, service));
    const out = [...(keys ?? [])].map((k) => this.#slices.get(k)!);
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** federated lists the Services of cluster that carry a federation annotation. */
  federated(cluster: string): MeshService[] {
    return [...this.#services.values()].filter((s) => s.cluster === cluster && s.federation);
  }

  /** ownedServices lists namespace/service of cluster's slices managed by managedBy. */
  sliceServices(cluster: string, managedBy: string): string[] {
    const out = new Set<string>();
    for (const s of this.#slices.values())
      if (s.cluster === cluster && s.managedBy === managedBy) out.add(`${s.namespace}/${s.service}`);
    return [...out];
  }

  /** counts returns how many Services and slices the book holds (metrics, benchmarks). */
  counts(): { services: number; slices: number } {
    return { services: this.#services.size, slices: this.#slices.size };
  }

  /** exportsOf returns the ServiceExports of namespace/name in every cluster, sorted by cluster. */
  exportsOf(namespace: string, name: string): MeshExport[] {
    const keys = [...(this.#exportsByName.get(`${namespace}/${name}`) ?? [])];
    return keys.map((k) => this.#exports.get(k)!).sort((a, b) => (a.cluster < b.cluster ? -1 : 1));
  }

  /** exportedNames lists namespace/name of every Service exported by some cluster. */
  exportedNames(): string[] {
    return [...this.#exportsByName.keys()];
  }

  /** applyExports upserts and deletes ServiceExports (keys cluster/namespace/name). */
  applyExports(changes: readonly ObjectChange<MeshExport>[]): ServiceEvent[] {
    const events: ServiceEvent[] = [];
    for (const c of changes) {
      const key = 'delete' in c ? c.delete : serviceKey(c.upsert.cluster, c.upsert.namespace, c.upsert.name);
      const old = this.#exports.get(key);
      if ('upsert' in c && old && JSON.stringify(old) === JSON.stringify(c.upsert)) continue;
      const e = 'upsert' in c ? c.upsert : old;
      if (!e) continue;
      const byName = `${e.namespace}/${e.name}`;
      let set = this.#exportsByName.get(byName);
      if ('delete' in c) {
        this.#exports.delete(key);
        set?.delete(key);
        if (set?.size === 0) this.#exportsByName.delete(byName);
      } else {
        this.#exports.set(key, c.upsert);
        if (!set) this.#exportsByName.set(byName, (set = new Set()));
        set.add(key);
      }
      events.push({ kind: 'export', cluster: e.cluster, namespace: e.namespace, service: e.name });
    }
    return events;
  }

  /** applyServices upserts and deletes Services (keys cluster/namespace/name). */
  applyServices(changes: readonly ObjectChange<MeshService>[]): ServiceEvent[] {
    const events: ServiceEvent[] = [];
    const up: EndpointUpdate[] = [];
    const rm: string[] = [];
    for (const c of changes) {
      const key = 'delete' in c ? c.delete : serviceKey(c.upsert.cluster, c.upsert.namespace, c.upsert.name);
      const old = this.#services.get(key);
      if ('delete' in c) {
        if (!old) continue;
        this.#services.delete(key);
        rm.push(key);
      } else {
        if (old && JSON.stringify(old) === JSON.stringify(c.upsert)) continue;
        this.#services.set(key, c.upsert);
        // A federated service is never a backing service.
        if (c.upsert.federation) rm.push(key);
        else up.push(backingIdentity(c.upsert));
      }
      const s = old ?? (c as { upsert: MeshService }).upsert;
      events.push({ kind: 'service', cluster: s.cluster, namespace: s.namespace, service: s.name });
    }
    this.selection.updateEndpoints(up, rm);
    return events;
  }

  /** applySlices upserts and deletes slices (keys cluster/namespace/name). */
  applySlices(changes: readonly ObjectChange<MeshSlice>[]): ServiceEvent[] {
    const events: ServiceEvent[] = [];
    const tell = (s: MeshSlice): void => {
      events.push({ kind: 'slice', cluster: s.cluster, namespace: s.namespace, service: s.service });
    };
    for (const c of changes) {
      const key = 'delete' in c ? c.delete : serviceKey(c.upsert.cluster, c.upsert.namespace, c.upsert.name);
      const old = this.#slices.get(key);
      if ('upsert' in c && old && JSON.stringify(old) === JSON.stringify(c.upsert)) continue;
      if (old) {
        this.#unfile(key, old);
        tell(old);
      }
      if ('delete' in c) {
        this.#slices.delete(key);
        continue;
      }
      this.#slices.set(key, c.upsert);
      this.#file(key, c.upsert);
      if (!old || old.service !== c.upsert.service) tell(c.upsert);
    }
    return events;
  }

  #file(key: string, s: MeshSlice): void {
    const sk = serviceKey(s.cluster, s.namespace, s.service);
    let set = this.#byService.get(sk);
    if (!set) this.#byService.set(sk, (set = new Set()));
    set.add(key);
  }

  #unfile(key: string, s: MeshSlice): void {
    const sk = serviceKey(s.cluster, s.namespace, s.service);
    const set = this.#byService.get(sk);
    set?.delete(key);
    if (set?.size === 0) this.#byService.delete(sk);
  }

  /** publish tells listeners of events (after the selection published its matches). */
  publish(events: ServiceEvent[]): void {
    this.selection.publish();
    if (events.length === 0) return;
    for (const fn of this.#listeners) fn(events);
  }

  /** subscribe calls fn with every non-empty batch of service events; returns unsubscribe. */
  subscribe(fn: (events: ServiceEvent[]) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }
}
