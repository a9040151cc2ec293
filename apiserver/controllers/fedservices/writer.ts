// writer.ts: the leader's writes for federated services: EndpointSlices by server-side apply (field
// manager federated.mesh, forced, so hand edits of fields fedmesh owns are reverted and nothing else
// is touched), deletes of owned slices, and Events on refused Services, all through one token bucket.
import {
  CoreV1Api,
  DiscoveryV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1EndpointSlice,
} from '@kubernetes/client-node';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { MANAGED_BY, type MeshService } from '../../mesh/kinds/compact.js';

/** TokenBucket allows `rate` operations per second with bursts of `burst`. */
export class TokenBucket {
  #tokens: number;
  #last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.#tokens = burst;
    this.#last = now();
  }

  /** take resolves when a token is available and consumes it. */
  async take(): Promise<void> {
    for (;;) {
      const t = this.now();
      this.#tokens = Math.min(this.burst, this.#tokens + ((t - this.#last) * this.rate) / 1000);
      this.#last = t;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await delay(Math.ceil(((1 - this.#tokens) * 1000) / this.rate));
    }
  }
}

/** SliceWriter writes to the local cluster for the federated services controller. */
export class SliceWriter {
  readonly #discovery: DiscoveryV1Api;
  readonly #core: CoreV1Api;
  readonly #bucket: TokenBucket;
  /** writes counts the requests sent (rate figures in benchmarks and tests). */
  writes = 0;

  /** bucket may be shared with another writer of the same controller (one write budget). */
  constructor(kc: KubeConfig, writesPerSecond: number, burst: number, bucket?: TokenBucket) {
    this.#discovery = kc.makeApiClient(DiscoveryV1Api);
    this.#core = kc.makeApiClient(CoreV1Api);
    this.#bucket = bucket ?? new TokenBucket(writesPerSecond, burst);
  }

  /** apply creates or updates a slice by server-side apply. */
  async apply(slice: V1EndpointSlice): Promise<void> {
    await this.#bucket.take();
    this.writes++;
    await this.#discovery.patchNamespacedEndpointSlice(
      {
        name: slice.metadata!.name!,
        namespace: slice.metadata!.namespace!,
        body: slice,
        fieldManager: MANAGED_BY,
        force: true,
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
  }

  /** delete removes a slice; one already gone is fine. */
  async delete(namespace: string, name: string): Promise<void> {
    await this.#bucket.take();
    this.writes++;
    try {
      await this.#discovery.deleteNamespacedEndpointSlice({ name, namespace });
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }

  /** warn records a Warning Event on a Service. */
  async warn(svc: MeshService, reason: string, message: string): Promise<void> {
    await this.#bucket.take();
    this.writes++;
    const now = new Date();
    await this.#core.createNamespacedEvent({
      namespace: svc.namespace,
      body: {
        metadata: { name: `${svc.name}.${randomUUID().slice(0, 8)}`, namespace: svc.namespace },
        involvedObject: {
          apiVersion: 'v1',
          kind: 'Service',
          name: svc.name,
          namespace: svc.namespace,
          uid: svc.uid,
        },
        type: 'Warning',
        reason,
        message,
        source: { component: MANAGED_BY },
        reportingComponent: MANAGED_BY,
        reportingInstance: MANAGED_BY,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  }
}
