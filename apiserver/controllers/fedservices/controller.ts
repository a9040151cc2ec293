// controller.ts: the federated services controller. Every replica follows the mesh store's Services
// and EndpointSlices, resolves each federated Service of the local cluster through the backing-
// Service label index and serves the result as a FederatedService; the leader also writes the
// EndpointSlices (rate-limited, see writer.ts). Work is reconciled by key (namespace/name) from a
// deduplicating queue that yields to the event loop between batches.
import type { FederatedService } from '../../../api/index.js';
import type { Core } from '../../../core/index.js';
import { KeyQueue } from '../keyqueue.js';
import { KeyWriter, type WritingControllerOptions } from '../keywriter.js';
import { MANAGED_BY } from '../../mesh/kinds/compact.js';
import type { MeshStore } from '../../mesh/meshstore.js';
import type { MatchEvent } from '../../../core/index.js';
import { diffSlices, verdict, type SliceOp } from './diff.js';
import { planSlices, type Backing } from './slices.js';
import { federatedService, type Resolution, type Verdict } from './status.js';
import { SliceWriter } from './writer.js';

/** FedServicesOptions configure the controller. */
export interface FedServicesOptions extends WritingControllerOptions {
  core: Core;
}

/** FedServicesController keeps federated Services' EndpointSlices and FederatedServices. */
export class FedServicesController {
  readonly writer: SliceWriter;
  readonly #queue = new KeyQueue({
    reconcile: (key) => this.#reconcile(key),
    afterBatch: () => this.#writes.kick(),
    stopped: () => this.#stopped,
    failed: (key, err) =>
      this.o.log.error('federated service reconcile failed', { service: key, error: String(err) }),
  });
  readonly #selectors = new Map<string, string>();
  readonly #deps = new Map<string, string[]>();
  readonly #backedBy = new Map<string, Set<string>>();
  readonly #writes: KeyWriter<SliceOp> = new KeyWriter({
    send: (_key, op) => this.#send(op),
    writable: () => this.#writable(),
    retry: (key) => this.#enqueue(key),
    failed: (key, error, retryInMs) => {
      this.#errors.set(key, error);
      this.o.log.warn('writing EndpointSlices failed; retrying', { service: key, retryInMs, error });
      this.#enqueue(key); // the status says why at once
    },
    succeeded: (key) => this.#errors.delete(key),
  });
  readonly #inflight = new Map<string, string>();
  readonly #errors = new Map<string, string>();
  readonly #warned = new Map<string, string>();
  readonly #unsubscribe: (() => void)[] = [];
  #local = '';
  #ready = false;
  #leader = false;
  #stopped = false;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(private readonly o: FedServicesOptions) {
    this.writer = new SliceWriter(o.kubeConfig, o.writesPerSecond ?? 20, o.burst ?? 50);
  }

  /** start follows the mesh for local cluster; writes begin once ready settles (local view complete). */
  start(local: string, ready: Promise<void>): void {
    this.#local = local;
    const { mesh } = this.o;
    this.#unsubscribe.push(
      mesh.services.subscribe((events) => {
        for (const e of events) {
          if (e.cluster === local) this.#enqueue(`${e.namespace}/${e.service}`);
          for (const k of this.#backedBy.get(`${e.cluster}/${e.namespace}/${e.service}`) ?? [])
            this.#enqueue(k);
        }
      }),
      mesh.services.selection.subscribe((e) => this.#matched(e.matches)),
      mesh.onCluster(() => this.#enqueueAll()),
    );
    void ready.then(() => {
      this.#ready = true;
      this.#enqueueAll();
    });
    const tick = setInterval(() => this.#tick(), 1000);
    const resync = setInterval(() => this.#enqueueAll(), this.o.resyncMs ?? 300_000);
    this.#timers.add(tick.unref()).add(resync.unref());
    this.#enqueueAll();
  }

  /** stop ends every subscription and timer; writes under way finish on their own. */
  stop(): void {
    this.#stopped = true;
    this.#writes.stop();
    for (const u of this.#unsubscribe) u();
    for (const t of this.#timers) clearInterval(t);
    this.#timers.clear();
  }

  #tick(): void {
    const leader = this.o.isLeader();
    if (leader && !this.#leader) this.#enqueueAll();
    this.#leader = leader;
  }

  #matched(matches: MatchEvent[]): void {
    for (const m of matches) if (this.#selectors.has(m.selector)) this.#enqueue(m.selector);
  }

  #enqueueAll(): void {
    const { services, federatedServices } = this.o.mesh;
    for (const s of services.federated(this.#local)) this.#enqueue(`${s.namespace}/${s.name}`);
    for (const k of services.sliceServices(this.#local, MANAGED_BY)) this.#enqueue(k);
    for (const k of federatedServices.keysFrom()) this.#enqueue(k);
  }

  #enqueue(key: string): void {
    this.#queue.add(key);
  }

  #reconcile(key: string): void {
    const [namespace, name] = key.split('/') as [string, string];
    const { mesh } = this.o;
    const svc = mesh.services.service(`${this.#local}/${key}`);
    const v: Verdict | undefined = svc?.federation ? verdict(this.o.core, svc) : undefined;
    this.#select(key, v?.valid ? v.effective : undefined);
    let r: Resolution | undefined;
    const desired = [];
    if (svc && v?.valid) {
      const backing = this.#backing(key);
      const plan = planSlices(svc, this.#local, backing, (c) => mesh.isStale(c));
      desired.push(...plan.slices);
      r = { plan, inSync: false, stale: (c) => mesh.isStale(c) };
    }
    const actual = mesh.services
      .slicesOf(this.#local, namespace, name)
      .filter((s) => s.managedBy === MANAGED_BY && !s.mcsService); // derived Services' are the MCS controller's
    const ops = diffSlices(this.#local, desired, actual, (c) => mesh.syncPending(c), this.#inflight);
    if (r) {
      r.inSync =
        ops.length === 0 && ![...this.#inflight.keys()].some((k) => k.startsWith(`${namespace}/${name}.`));
      const err = this.#errors.get(key);
      if (err) r.writeError = err;
    }
    // After a failed write the key waits for its backoff; the status already says why.
    this.#writes.set(key, ops);
    this.#publish(
      key,
      svc && v ? federatedService(svc, v, r, mesh.federatedServices.get(key)?.obj, this.#now()) : undefined,
    );
    if (svc && v && !v.valid) this.#warn(key, svc, v);
  }

  // backing returns the selected Services with their slices, skipping clusters still syncing.
  #backing(key: string): Backing[] {
    const { services } = this.o.mesh;
    const ids = services.selection.matching(key);
    for (const old of this.#deps.get(key) ?? []) this.#backedBy.get(old)?.delete(key);
    this.#deps.set(key, ids);
    const out: Backing[] = [];
    for (const id of ids) {
      let set = this.#backedBy.get(id);
      if (!set) this.#backedBy.set(id, (set = new Set()));
      set.add(key);
      const s = services.service(id);
      if (!s || this.o.mesh.syncPending(s.cluster)) continue;
      out.push({ service: s, slices: services.slicesOf(s.cluster, s.namespace, s.name) });
    }
    return out;
  }

  #select(key: string, effective: string | undefined): void {
    const sel = this.o.mesh.services.selection;
    if (this.#selectors.get(key) === effective) return;
    if (effective === undefined) {
      this.#selectors.delete(key);
      sel.removeSelector(key);
      for (const old of this.#deps.get(key) ?? []) this.#backedBy.get(old)?.delete(key);
      this.#deps.delete(key);
      return;
    }
    this.#selectors.set(key, effective);
    sel.addSelector(key, effective);
  }

  #publish(key: string, obj: FederatedService | undefined): void {
    const store = this.o.mesh.federatedServices;
    if (obj) store.apply([{ upsert: obj }]);
    else if (store.get(key)) store.apply([{ delete: key }]);
  }

  #warn(key: string, svc: NonNullable<ReturnType<MeshStore['services']['service']>>, v: Verdict): void {
    if (v.valid || !this.#writable()) return;
    const id = `${svc.uid}/${v.reason}/${v.message}`;
    if (this.#warned.get(key) === id) return;
    this.#warned.set(key, id);
    this.writer
      .warn(
        svc,
        v.reason === 'InvalidSelector' ? 'InvalidFederationSelector' : 'FederationRefused',
        v.message,
      )
      .catch((err: unknown) => {
        this.#warned.delete(key);
        this.o.log.warn('recording an Event failed', { service: key, error: String(err) });
      });
  }

  #writable(): boolean {
    return this.#ready && this.o.isLeader() && !this.#stopped;
  }

  async #send(op: SliceOp): Promise<void> {
    if ('apply' in op) await this.writer.apply(op.apply);
    else await this.writer.delete(op.key.split('/')[0]!, op.delete);
    this.#inflight.set(op.key, op.want);
  }

  #now(): Date {
    return (this.o.now ?? (() => new Date()))();
  }
}
