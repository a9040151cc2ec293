// lease.ts: leader election on a coordination.k8s.io Lease, so that of several fedmesh-apiserver
// replicas only one writes status. The holder renews by updating the Lease (optimistic
// concurrency on resourceVersion); the renew time is kept in an annotation as epoch milliseconds,
// which avoids MicroTime round-trip differences between clients.
import { CoordinationV1Api, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from '../log.js';

const RENEW_ANNOTATION = 'federated.mesh/renew-time-ms';

/** LeaderElectorOptions configure a LeaderElector. */
export interface LeaderElectorOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  name: string;
  identity: string;
  log: Logger;
  leaseDurationMs?: number;
  retryMs?: number;
  now?: () => number;
}

/** LeaderElector keeps trying to hold a Lease; isLeader() says whether it does now. */
export class LeaderElector {
  readonly #api: CoordinationV1Api;
  #leader = false;
  #timer?: NodeJS.Timeout;
  #stopped = false;

  constructor(private readonly o: LeaderElectorOptions) {
    this.#api = o.kubeConfig.makeApiClient(CoordinationV1Api);
  }

  /** isLeader reports whether this replica holds the Lease (and has renewed it recently). */
  isLeader(): boolean {
    return this.#leader;
  }

  /** start begins the acquire/renew loop. */
  start(): void {
    void this.#tick();
  }

  /** stop ends the loop and releases the Lease if held. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (this.#leader) await this.#write(undefined).catch(() => undefined);
    this.#leader = false;
  }

  async #tick(): Promise<void> {
    try {
      this.#leader = await this.#tryAcquire();
    } catch (err) {
      if (this.#leader)
        this.o.log.warn('lost leadership: cannot renew the lease', {
          lease: this.o.name,
          error: String((err as Error).message ?? err),
        });
      this.#leader = false;
    }
    if (!this.#stopped) this.#timer = setTimeout(() => void this.#tick(), this.o.retryMs ?? 2000).unref();
  }

  async #tryAcquire(): Promise<boolean> {
    const { namespace, name, identity } = this.o;
    let lease: V1Lease;
    try {
      lease = await this.#api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
      await this.#api.createNamespacedLease({ namespace, body: this.#body(undefined) });
      return true;
    }
    const holder = lease.spec?.holderIdentity;
    const renewed = Number(lease.metadata?.annotations?.[RENEW_ANNOTATION] ?? 0);
    const duration = this.o.leaseDurationMs ?? 15_000;
    const expired = !holder || this.#now() - renewed > duration;
    if (holder !== identity && !expired) return false;
    await this.#write(lease);
    return true;
  }

  async #write(current: V1Lease | undefined): Promise<void> {
    const body = this.#body(current);
    if (this.#stopped && current === undefined) {
      const lease = await this.#api.readNamespacedLease({ name: this.o.name, namespace: this.o.namespace });
      if (lease.spec?.holderIdentity !== this.o.identity) return;
      lease.spec = { ...lease.spec, holderIdentity: undefined };
      await this.#api.replaceNamespacedLease({ name: this.o.name, namespace: this.o.namespace, body: lease });
      return;
    }
    await this.#api.replaceNamespacedLease({ name: this.o.name, namespace: this.o.namespace, body });
  }

  #body(current: V1Lease | undefined): V1Lease {
    const metadata = {
      ...current?.metadata,
      name: this.o.name,
      namespace: this.o.namespace,
      annotations: { ...current?.metadata?.annotations, [RENEW_ANNOTATION]: String(this.#now()) },
    };
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata,
      spec: {
        holderIdentity: this.o.identity,
        leaseDurationSeconds: Math.ceil((this.o.leaseDurationMs ?? 15_000) / 1000),
      },
    };
  }

  #now(): number {
    return (this.o.now ?? Date.now)();
  }
}
