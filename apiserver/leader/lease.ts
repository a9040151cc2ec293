// lease.ts: leader election on a coordination.k8s.io Lease, so that of several fedmesh-apiserver
// replicas only one writes status. The holder renews by updating the Lease (optimistic
// concurrency on resourceVersion), stamping its renew time in an annotation so that every renewal
// changes the object. A candidate never compares that stamp with its own clock: as in client-go,
// it judges expiry by its own clock from the moment it last saw the Lease change, so replicas on
// nodes whose clocks disagree do not steal the Lease from a live holder.
import {
  CoordinationV1Api,
  type ConfigurationOptions,
  type KubeConfig,
  Observable,
  type ObservableMiddleware,
  type V1Lease,
} from '@kubernetes/client-node';
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
  /** The Lease's resourceVersion when this replica last saw it change, and when (own clock). */
  #observed = { version: '', at: 0 };
  /** When (own clock) the last successful acquire or renew was sent. */
  #renewedAt = 0;
  /** Every Lease request is bounded, so a hung connection cannot stall the loop. */
  readonly #bounded: ConfigurationOptions;

  constructor(private readonly o: LeaderElectorOptions) {
    this.#api = o.kubeConfig.makeApiClient(CoordinationV1Api);
    const timeoutMs = Math.round(Math.min(5000, this.#duration() / 3));
    const bound: ObservableMiddleware = {
      pre: (ctx) => (ctx.setSignal(AbortSignal.timeout(timeoutMs)), new Observable(Promise.resolve(ctx))),
      post: (ctx) => new Observable(Promise.resolve(ctx)),
    };
    this.#bounded = { middleware: [bound], middlewareMergeStrategy: 'append' };
  }

  /**
   * isLeader reports whether this replica holds the Lease and renewed it within the renew deadline
   * (two thirds of the lease duration): a holder whose renewals stall stops acting as leader
   * before any other replica may take the Lease.
   */
  isLeader(): boolean {
    return this.#leader && this.#now() - this.#renewedAt < (this.#duration() * 2) / 3;
  }

  /** start begins the acquire/renew loop. */
  start(): void {
    void this.#tick();
  }

  /** stop ends the loop and releases the Lease if held. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    // A renewal in flight could land after the release and hold the Lease, unrenewed, for its
    // whole duration (the release then fails on the changed resourceVersion): let it finish first.
    await this.#ticking;
    if (this.#leader) await this.#write(undefined).catch(() => undefined);
    this.#leader = false;
  }

  #ticking: Promise<void> | undefined;

  #tick(): Promise<void> {
    this.#ticking = this.#attempt();
    return this.#ticking;
  }

  async #attempt(): Promise<void> {
    const sent = this.#now();
    try {
      this.#leader = await this.#tryAcquire();
      if (this.#leader) this.#renewedAt = sent;
    } catch (err) {
      // A renewal that fails (a timeout while the process is busy, a transient error) does not end
      // leadership by itself: the holder keeps leading, and retrying, until its renew deadline
      // (isLeader), as client-go's elector does. A conflict means another writer took the Lease.
      const conflict = (err as { code?: number }).code === 409;
      if (this.#leader && (conflict || !this.isLeader())) {
        this.o.log.warn('lost leadership: cannot renew the lease', {
          lease: this.o.name,
          error: String((err as Error).message ?? err),
        });
        this.#leader = false;
      } else if (this.#leader) {
        this.o.log.info('lease renewal failed; leading until the renew deadline, retrying', {
          lease: this.o.name,
          error: String((err as Error).message ?? err),
        });
      }
    }
    if (!this.#stopped) this.#timer = setTimeout(() => void this.#tick(), this.o.retryMs ?? 2000).unref();
  }

  async #tryAcquire(): Promise<boolean> {
    const { namespace, name, identity } = this.o;
    let lease: V1Lease;
    try {
      lease = await this.#api.readNamespacedLease({ name, namespace }, this.#bounded);
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
      await this.#api.createNamespacedLease({ namespace, body: this.#body(undefined) }, this.#bounded);
      return true;
    }
    const holder = lease.spec?.holderIdentity;
    const version = lease.metadata?.resourceVersion ?? '';
    if (version !== this.#observed.version) this.#observed = { version, at: this.#now() };
    const expired = !holder || this.#now() - this.#observed.at > this.#duration();
    if (holder !== identity && !expired) return false;
    await this.#write(lease);
    return true;
  }

  async #write(current: V1Lease | undefined): Promise<void> {
    const body = this.#body(current);
    if (this.#stopped && current === undefined) {
      const lease = await this.#api.readNamespacedLease(
        { name: this.o.name, namespace: this.o.namespace },
        this.#bounded,
      );
      if (lease.spec?.holderIdentity !== this.o.identity) return;
      lease.spec = { ...lease.spec, holderIdentity: undefined };
      await this.#api.replaceNamespacedLease(
        { name: this.o.name, namespace: this.o.namespace, body: lease },
        this.#bounded,
      );
      return;
    }
    await this.#api.replaceNamespacedLease(
      { name: this.o.name, namespace: this.o.namespace, body },
      this.#bounded,
    );
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
        leaseDurationSeconds: Math.ceil(this.#duration() / 1000),
      },
    };
  }

  #duration(): number {
    return this.o.leaseDurationMs ?? 15_000;
  }

  #now(): number {
    return (this.o.now ?? Date.now)();
  }
}
