// metrics.ts: Prometheus metrics of fedmesh-apiserver (prom-client, one registry per server).
import type { Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from './store/store.js';

/** Metrics records requests and exposes store gauges on /metrics. */
export class Metrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'verb' | 'resource' | 'code'>;
  readonly #latency: Histogram<'verb' | 'resource'>;

  constructor(stores: Record<string, Store>) {
    collectDefaultMetrics({ register: this.registry, prefix: 'fedmesh_' });
    this.#requests = new Counter({
      name: 'fedmesh_apiserver_request_total',
      help: 'Requests by verb, resource and HTTP code.',
      labelNames: ['verb', 'resource', 'code'],
      registers: [this.registry],
    });
    this.#latency = new Histogram({
      name: 'fedmesh_apiserver_request_duration_seconds',
      help: 'Request latency (watches: until the stream ends) by verb and resource.',
      labelNames: ['verb', 'resource'],
      buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60],
      registers: [this.registry],
    });
    new Gauge({
      name: 'fedmesh_apiserver_objects',
      help: 'Objects held per resource.',
      labelNames: ['resource'],
      registers: [this.registry],
      collect() {
        for (const [r, s] of Object.entries(stores)) this.set({ resource: r }, s.size);
      },
    });
    new Gauge({
      name: 'fedmesh_apiserver_watchers',
      help: 'Open watch streams per resource.',
      labelNames: ['resource'],
      registers: [this.registry],
      collect() {
        for (const [r, s] of Object.entries(stores)) this.set({ resource: r }, s.watcherCount);
      },
    });
  }

  /** observeRequest records the request when its response finishes. */
  observeRequest(req: Request, res: Response): void {
    const start = process.hrtime.bigint();
    res.once('close', () => {
      const info = res.locals.info as { verb: string; resource: string } | undefined;
      const labels = { verb: info?.verb ?? req.method.toLowerCase(), resource: info?.resource ?? '' };
      this.#requests.inc({ ...labels, code: String(res.statusCode) });
      this.#latency.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    });
  }

  /** render writes the metrics in the Prometheus text format. */
  async render(res: Response): Promise<void> {
    res.type(this.registry.contentType).send(await this.registry.metrics());
  }
}
