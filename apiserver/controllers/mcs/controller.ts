// controller.ts: the Multi-Cluster Services controller. It follows the ServiceExports, Services and
// EndpointSlices of every cluster in the mesh store and the local cluster's ServiceImports (an
// informer), and for every Service exported anywhere converges the local ServiceImport, derived
// Service and EndpointSlices (plan.ts), and the status of the local cluster's exports. Like the
// federated services controller, work is reconciled by key (namespace/name) from a deduplicating
// queue that yields to the event loop; only the leader writes, rate-limited, once the local view is
// complete, and a key whose write failed waits for its backoff.
import {
  CustomObjectsApi,
  makeInformer,
  type Informer,
  type KubernetesObject,
  type ObjectCache,
} from '@kubernetes/client-node';
import {
  MCS_GROUP,
  MCS_VERSION,
  SERVICE_IMPORTS,
  derivedServiceName,
  type ServiceImport,
} from '../../../api/index.js';
import { runInformer } from '../../informer.js';
import { KeyQueue } from '../keyqueue.js';
import { KeyWriter, type WritingControllerOptions } from '../keywriter.js';
import { MANAGED_BY, serviceKey } from '../../mesh/kinds/compact.js';
import { SliceWriter, TokenBucket } from '../fedservices/writer.js';
import { planImport, type MCSOp } from './plan.js';
import { MCSWriter } from './writer.js';

/** MCSOptions configure the controller. */
export type MCSOptions = WritingControllerOptions;

/** A write sent is not repeated for this long unless what it should write changes. */
const SENT_TTL_MS = 10_000;

/** MCSController imports the Services exported anywhere in the mesh into the local cluster. */
export class MCSController {
  readonly writer: MCSWriter;
  readonly slices: SliceWriter;
  readonly #queue = new KeyQueue({
    reconcile: (key) => this.#reconcile(key),
    afterBatch: () => this.#writes.kick(),
    stopped: () => this.#stopped,
    failed: (key, err) =>
      this.o.log.error('service import reconcile failed', { service: key, error: String(err) }),
  });
  readonly #writes: KeyWriter<MCSOp> = new KeyWriter({
    send: async (_key, op) => {
      await this.#send(op);
      this.#sent.set(op.id, { want: op.want, at: Date.now() });
    },
    writable: () => this.#writable(),
    retry: (key) => this.#enqueue(key),
    failed: (key, error, retryInMs) =>
      this.o.log.warn('writing a service import failed; retrying', { service: key, retryInMs, error }),
  });
  readonly #sent = new Map<string, { want: string; at: number }>();
  readonly #recheck = new Set<string>();
  readonly #inflight = new Map<string, string>();
  readonly #derived = new Map<string, string>();
  readonly #unsubscribe: (() => void)[] = [];
  readonly #timers = new Set<NodeJS.Timeout>();
  #imports?: Informer<KubernetesObject> & ObjectCache<KubernetesObject>;
  #local = '';
  #ready = false;
  #leader = false;
  #stopped = false;

  constructor(private readonly o: MCSOptions) {
    const bucket = new TokenBucket(o.writesPerSecond ?? 20, o.burst ?? 50);
    this.writer = new MCSWriter(o.kubeConfig, bucket);
    this.slices = new SliceWriter(o.kubeConfig, 0, 0, bucket);
  }

  /** start follows the mesh and the local imports; writes begin once ready settles. */
  start(local: string, ready: Promise<void>): void {
    this.#local = local;
    this.#unsubscribe.push(
      this.o.mesh.services.subscribe((events) => {
        for (const e of events) {
          const key = `${e.namespace}/${e.service}`;
          this.#enqueue(this.#derived.get(key) ?? key);
        }
      }),
      this.o.mesh.onCluster(() => this.#enqueueAll()),
    );
    this.#watchImports();
    void ready.then(() => {
      this.#ready = true;
      this.#enqueueAll();
    });
    const tick = setInterval(() => this.#tick(), 1000);
    const resync = setInterval(() => this.#enqueueAll(), this.o.resyncMs ?? 300_000);
    this.#timers.add(tick.unref()).add(resync.unref());
  }

  /** stop ends the subscriptions, the informer and the timers. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#writes.stop();
    for (const u of this.#unsubscribe) u();
    for (const t of this.#timers) clearInterval(t);
    this.#timers.clear();
    await this.#imports?.stop();
  }

  #watchImports(): void {
    const kc = this.o.kubeConfig;
    const api = kc.makeApiClient(CustomObjectsApi);
    const gvr = { group: MCS_GROUP, version: MCS_VERSION, plural: SERVICE_IMPORTS.plural };
    const inf = makeInformer<KubernetesObject>(
      kc,
      `/apis/${MCS_GROUP}/${MCS_VERSION}/${SERVICE_IMPORTS.plural}`,
      () => api.listCustomObjectForAllNamespaces(gvr) as never,
    );
    const key = (o: KubernetesObject): string => `${o.metadata?.namespace}/${o.metadata?.name}`;
    for (const ev of ['add', 'update', 'delete'] as const) inf.on(ev, (o) => this.#enqueue(key(o)));
    this.#imports = inf;
    void runInformer(inf, {
      what: SERVICE_IMPORTS.plural,
      log: this.o.log,
      stopped: () => this.#stopped,
      hint: (code) => (code === 404 ? ' (are the MCS CRDs installed? run: kubectl mesh install)' : ''),
    });
  }

  #tick(): void {
    const leader = this.o.isLeader();
    if (leader && !this.#leader) this.#enqueueAll();
    this.#leader = leader;
  }

  #enqueueAll(): void {
    for (const k of this.o.mesh.services.exportedNames()) this.#enqueue(k);
    for (const o of this.#imports?.list() ?? [])
      this.#enqueue(`${o.metadata?.namespace}/${o.metadata?.name}`);
  }

  #enqueue(key: string): void {
    this.#queue.add(key);
  }

  #reconcile(key: string): void {
    const [namespace, name] = key.split('/') as [string, string];
    const { services } = this.o.mesh;
    const local = this.#local;
    const derivedName = derivedServiceName(namespace, name);
    this.#derived.set(`${namespace}/${derivedName}`, key);
    const imported = this.#imports?.get(name, namespace) as ServiceImport | undefined;
    const plan = planImport({
      local,
      namespace,
      name,
      exports: services
        .exportsOf(namespace, name)
        .map((e) => ({ export: e, service: services.service(serviceKey(e.cluster, namespace, name)) })),
      imported,
      derived: services.service(serviceKey(local, namespace, derivedName)),
      slices: services
        .slicesOf(local, namespace, derivedName)
        .filter((s) => s.managedBy === MANAGED_BY && s.mcsService === name),
      backing: (clusters) =>
        clusters
          .filter((c) => !this.o.mesh.syncPending(c))
          .flatMap((c) => {
            const service = services.service(serviceKey(c, namespace, name));
            return service ? [{ service, slices: services.slicesOf(c, namespace, name) }] : [];
          }),
      pending: (c) => this.o.mesh.syncPending(c),
      stale: (c) => this.o.mesh.isStale(c),
      inflight: this.#inflight,
      now: this.#now(),
    });
    if (!plan.merged && !imported && services.exportsOf(namespace, name).length === 0)
      this.#derived.delete(`${namespace}/${derivedName}`);
    const ops = plan.ops.filter((op) => this.#due(key, op));
    this.#writes.set(key, ops);
  }

  // due drops a write sent recently with the same content (its result is on its way back).
  // A dropped write is looked at again when its grace ends, so a hand edit made just after it (the
  // cluster now differs from what was sent) is reverted then, not at the next resync.
  #due(key: string, op: MCSOp): boolean {
    const s = this.#sent.get(op.id);
    const left = s && s.want === op.want ? s.at + SENT_TTL_MS - Date.now() : 0;
    if (left <= 0) return true;
    if (!this.#recheck.has(key)) {
      const t = setTimeout(() => {
        this.#timers.delete(t);
        this.#recheck.delete(key);
        this.#enqueue(key);
      }, left + 50).unref();
      this.#timers.add(t);
      this.#recheck.add(key);
    }
    return false;
  }

  #writable(): boolean {
    return this.#ready && this.o.isLeader() && !this.#stopped;
  }

  async #send(op: MCSOp): Promise<void> {
    switch (op.kind) {
      case 'exportStatus':
        return this.writer.exportStatus(op.export, op.conditions);
      case 'applyImport':
        await this.writer.applyImport(op.obj);
        return;
      case 'importStatus':
        return this.writer.applyImportStatus(op.obj);
      case 'applyService':
        return this.writer.applyService(op.obj);
      case 'deleteService':
        return this.writer.deleteService(op.namespace, op.name);
      case 'deleteImport':
        return this.writer.deleteImport(op.namespace, op.name);
      case 'slice':
        if ('apply' in op.op) await this.slices.apply(op.op.apply);
        else await this.slices.delete(op.op.key.split('/')[0]!, op.op.delete);
        this.#inflight.set(op.op.key, op.op.want);
    }
  }

  #now(): Date {
    return (this.o.now ?? (() => new Date()))();
  }
}
