// policysource.ts: what fedmesh-node knows of policy, from the local API: MeshNetworkPolicies
// (compiled here by core/policy, the same compilation fedmesh-apiserver uses to name the sets),
// FederatedIPSets and their slices, the cluster's name (MeshConfiguration) and this node's pods
// (FederatedEndpoints), so a restarted agent keeps enforcing the policy of pods it did not see
// registered. Members are kept per set and every change is recorded as a
// delta, so the renderer updates nftables sets by element instead of re-reading them. The view is
// ready only when it is complete: all three lists done, the cluster's name known, and every set a
// policy names present with all its slices. Until then the kernel state must be left as it is.
import type { KubeConfig } from '@kubernetes/client-node';
import {
  FEDERATED_ENDPOINTS,
  FEDERATED_IP_SET_SLICES,
  FEDERATED_IP_SETS,
  MESH_CONFIGURATION_NAME,
  MESH_CONFIGURATIONS,
  MESH_NETWORK_POLICIES,
  comparePolicies,
  type CompiledPolicy,
  type FederatedEndpoint,
  type FederatedIPSet,
  type FederatedIPSetSlice,
  type MeshConfiguration,
  type MeshNetworkPolicy,
  type PolicyModel,
  type ResourceNames,
} from '../../api/index.js';
import type { Core } from '../../core/index.js';
import { compilePolicy } from '../../core/policy/compile.js';
import type { PolicySource } from '../policy/enforcer.js';
import type { LocalPod } from '../policy/render.js';
import { Reflector, type Change } from './reflector.js';

/** SetDelta is what changed in one set since the last take(). */
export interface SetDelta {
  added: Set<string>;
  removed: Set<string>;
}

/** PolicyView is the current model, whether it is complete, and what changed since last taken. */
export interface PolicyView {
  /** ready is true when the model is complete (see the file comment); reason says what it waits for. */
  ready: boolean;
  reason: string;
  model: PolicyModel;
  /** deltas by set name since the previous take (sets that appeared count all members as added). */
  deltas: Map<string, SetDelta>;
  /** policiesChanged is true when the compiled policies differ from the previous take. */
  policiesChanged: boolean;
}

const path = (r: ResourceNames): string => `/apis/${r.group}/${r.version}/${r.plural}`;

/** PolicyWatch mirrors policy state from the local API: the PolicySource of the node's enforcer. */
export class PolicyWatch implements PolicySource {
  readonly #policies: Reflector<MeshNetworkPolicy>;
  readonly #configs: Reflector<MeshConfiguration>;
  readonly #pods: Reflector<FederatedEndpoint>;
  readonly #listeners = new Set<() => void>();
  readonly #sets: Reflector<FederatedIPSet>;
  readonly #slices: Reflector<FederatedIPSetSlice>;
  readonly #members = new Map<string, Set<string>>();
  // Sets handed out by take() are never changed afterwards: a change copies the set first, so a
  // consumer may keep the previous model and compare sets by identity (copy on write).
  readonly #handed = new WeakSet<Set<string>>();
  readonly #deltas = new Map<string, SetDelta>();
  #compiled: CompiledPolicy[] = [];
  #compiledKey = '';
  #takenKey = '';
  #cluster?: string;

  constructor(
    kc: KubeConfig,
    private readonly core: Core,
    nodeName: string,
  ) {
    this.#policies = new Reflector(kc, path(MESH_NETWORK_POLICIES), () => this.#recompile());
    this.#sets = new Reflector(kc, path(FEDERATED_IP_SETS), () => this.#changed());
    this.#slices = new Reflector(kc, path(FEDERATED_IP_SET_SLICES), (c) => this.#slice(c));
    this.#configs = new Reflector(kc, path(MESH_CONFIGURATIONS), () => this.#clusterChanged());
    const onNode = `fieldSelector=${encodeURIComponent(`spec.node=${nodeName}`)}`;
    this.#pods = new Reflector(kc, `${path(FEDERATED_ENDPOINTS)}?${onNode}`, () => this.#changed());
  }

  #all(): Pick<Reflector<never>, 'run' | 'stop' | 'synced' | 'path' | 'lastError'>[] {
    return [this.#policies, this.#sets, this.#slices, this.#configs, this.#pods];
  }

  /** run starts the watches. */
  run(): void {
    for (const r of this.#all()) void r.run();
  }

  /** stop ends the watches. */
  stop(): void {
    for (const r of this.#all()) r.stop();
  }

  /** subscribe calls fn after every change; it returns the unsubscribe function. */
  subscribe(fn: () => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** model is the complete model, or undefined while the view is incomplete (the gate). */
  model(): PolicyModel | undefined {
    const v = this.take();
    return v.ready ? v.model : undefined;
  }

  /** waiting says what the view waits for ('' when complete). */
  waiting(): string {
    return this.#waitingFor();
  }

  /** localPods are this node's pods in the local cluster, as the API knows them. */
  localPods(): LocalPod[] {
    const cluster = this.#cluster;
    const out: LocalPod[] = [];
    for (const e of this.#pods.items.values())
      if (e.spec.cluster === cluster && !e.spec.hostNetwork && e.spec.ips?.length)
        out.push({ ips: e.spec.ips });
    return out;
  }

  #changed(): void {
    for (const fn of this.#listeners) fn();
  }

  #clusterChanged(): void {
    const name = this.#configs.items.get(MESH_CONFIGURATION_NAME)?.spec.clusterName;
    if (name === this.#cluster) return this.#changed();
    this.#cluster = name;
    this.#recompile();
  }

  /** lastError is the latest watch failure, if any. */
  get lastError(): string | undefined {
    return this.#all().find((r) => r.lastError)?.lastError;
  }

  /** take returns the view and starts a new delta period. */
  take(): PolicyView {
    const deltas = new Map(this.#deltas);
    this.#deltas.clear();
    const policiesChanged = this.#compiledKey !== this.#takenKey;
    this.#takenKey = this.#compiledKey;
    const reason = this.#waitingFor();
    for (const m of this.#members.values()) this.#handed.add(m);
    return {
      ready: reason === '',
      reason,
      model: { policies: this.#compiled, sets: new Map(this.#members) },
      deltas,
      policiesChanged,
    };
  }

  // waitingFor says why the view is not complete, or '' when it is.
  #waitingFor(): string {
    const unsynced = this.#all().filter((r) => !r.synced);
    if (unsynced.length) return `waiting for the first list of ${unsynced.map((r) => r.path).join(', ')}`;
    if (this.#cluster === undefined) return 'waiting for the MeshConfiguration naming this cluster';
    const missing: string[] = [];
    for (const name of this.#namedSets()) {
      const set = this.#sets.items.get(name);
      const slices = set?.status?.slices ?? 0;
      const complete =
        set !== undefined &&
        Array.from({ length: slices }, (_, i) => `${name}-${i}`).every((s) => this.#slices.items.has(s));
      if (!complete) missing.push(name);
    }
    if (missing.length === 0) return '';
    return `waiting for IP sets ${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ` and ${missing.length - 3} more` : ''} (fedmesh-apiserver serves them once every cluster has synced)`;
  }

  #namedSets(): Set<string> {
    const out = new Set<string>();
    for (const p of this.#compiled) {
      out.add(p.appliesTo);
      for (const r of [...(p.ingress ?? []), ...(p.egress ?? [])])
        for (const e of [r.source, r.destination]) if (e?.set) out.add(e.set);
    }
    return out;
  }

  #recompile(): void {
    const cluster = this.#cluster;
    const compiled: CompiledPolicy[] = [];
    if (cluster !== undefined)
      for (const p of this.#policies.items.values()) {
        const r = compilePolicy(this.core, p, cluster);
        if (!('problems' in r)) compiled.push(r.policy); // fedmesh-apiserver reports the problems
      }
    compiled.sort(comparePolicies);
    this.#compiled = compiled;
    this.#compiledKey = JSON.stringify(compiled);
    this.#changed();
  }

  #slice(c: Change<FederatedIPSetSlice>): void {
    if (c.type === 'relist') {
      this.#rebuild();
    } else {
      const before = c.prev;
      const after = c.type === 'upsert' ? c.obj : undefined;
      const set = (after ?? before)!.ipSet;
      const now = new Set(after?.members ?? []);
      for (const ip of before?.members ?? []) if (!now.has(ip)) this.#remove(set, ip);
      for (const ip of now) this.#add(set, ip);
    }
    this.#changed();
  }

  // rebuild recomputes every set from the slices after a relist and records the differences.
  #rebuild(): void {
    const fresh = new Map<string, Set<string>>();
    for (const s of this.#slices.items.values()) {
      const m = fresh.get(s.ipSet) ?? new Set<string>();
      for (const ip of s.members) m.add(ip);
      fresh.set(s.ipSet, m);
    }
    for (const [set, members] of this.#members)
      for (const ip of members) if (!fresh.get(set)?.has(ip)) this.#remove(set, ip);
    for (const [set, members] of fresh) for (const ip of members) this.#add(set, ip);
  }

  // writable returns the set's members for changing, copying them if they were handed out.
  #writable(set: string): Set<string> | undefined {
    const m = this.#members.get(set);
    if (m === undefined || !this.#handed.has(m)) return m;
    const copy = new Set(m);
    this.#members.set(set, copy);
    return copy;
  }

  #add(set: string, ip: string): void {
    if (this.#members.get(set)?.has(ip)) return;
    let m = this.#writable(set);
    if (m === undefined) this.#members.set(set, (m = new Set()));
    m.add(ip);
    const d = this.#delta(set);
    if (!d.removed.delete(ip)) d.added.add(ip);
  }

  #remove(set: string, ip: string): void {
    if (!this.#members.get(set)?.has(ip)) return;
    const m = this.#writable(set)!;
    m.delete(ip);
    if (m.size === 0) this.#members.delete(set);
    const d = this.#delta(set);
    if (!d.added.delete(ip)) d.removed.add(ip);
  }

  #delta(set: string): SetDelta {
    let d = this.#deltas.get(set);
    if (d === undefined) this.#deltas.set(set, (d = { added: new Set(), removed: new Set() }));
    return d;
  }
}
