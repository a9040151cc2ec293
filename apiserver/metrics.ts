// metrics.ts: Prometheus metrics of fedmesh-apiserver (prom-client, one registry per server).
import type { Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CoreStats } from '../core/index.js';
import type { Admission } from './admission.js';
import type { ClusterHealth } from './federation/rcc/health.js';

/** Counted is what the store gauges read of a store. */
export interface Counted {
  readonly size: number;
  readonly watcherCount: number;
}

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Metrics records requests and exposes store gauges on /metrics. */
export class Metrics {
  readonly registry = new Registry();
  readonly #requests: Counter<'verb' | 'resource' | 'code'>;
  readonly #latency: Histogram<'verb' | 'resource'>;
  readonly #clusters = new Map<string, ClusterHealth>();
  readonly #known: ReadonlySet<string>;

  /** resources are the served plurals: only they become resource labels (any other is "other"). */
  constructor(stores: Record<string, Counted>, resources: readonly string[] = Object.keys(stores)) {
    this.#known = new Set(resources);
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
    this.#clusterGauges();
  }

  /** clusterHealth records the latest health of a remote cluster for the per-cluster gauges (undefined: the cluster left). */
  clusterHealth(cluster: string, h: ClusterHealth | undefined): void {
    if (h) this.#clusters.set(cluster, h);
    else this.#clusters.delete(cluster);
  }

  #clusterGauges(): void {
    const clusters = this.#clusters;
    const gauge = (
      name: string,
      help: string,
      value: (h: ClusterHealth) => number | undefined,
      extra: string[] = [],
    ): void => {
      new Gauge({
        name,
        help,
        labelNames: ['cluster', ...extra],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const [c, h] of clusters) {
            const v = value(h);
            if (v !== undefined) this.set({ cluster: c }, v);
          }
        },
      });
    };
    gauge('fedmesh_cluster_connected', '1 when the remote cluster answers with its credential.', (h) =>
      Number(h.connected),
    );
    gauge('fedmesh_cluster_synced', '1 when the remote cluster is listed and watched.', (h) =>
      Number(h.synced && h.connected),
    );
    gauge(
      'fedmesh_cluster_stale',
      '1 while the cluster is disconnected and its endpoints are kept stale.',
      (h) => Number(h.stale),
    );
    gauge(
      'fedmesh_cluster_workload_endpoints',
      'FederatedEndpoints synced from the cluster.',
      (h) => h.counts.workloads,
    );
    gauge(
      'fedmesh_cluster_host_endpoints',
      'FederatedHostEndpoints synced from the cluster.',
      (h) => h.counts.hosts,
    );
    gauge(
      'fedmesh_cluster_sync_lag_seconds',
      'Seconds since the cluster last sent data (list, event or bookmark).',
      (h) => (h.lastSyncTime ? (Date.now() - h.lastSyncTime.getTime()) / 1000 : undefined),
    );
    gauge(
      'fedmesh_cluster_ip_conflicts',
      'Pod IPs of the cluster also claimed by another cluster.',
      (h) => h.conflicts.length,
    );
  }

  /** policyGate exposes whether policy IP sets are served yet (gate.ts) and what they wait for. */
  policyGate(state: () => { open: boolean; waitingFor: string[] }): void {
    new Gauge({
      name: 'fedmesh_policy_sync_gate_open',
      help: 'Whether policy IP sets are served (1) or wait for clusters to sync after a start (0).',
      registers: [this.registry],
      collect() {
        this.set(state().open ? 1 : 0);
      },
    });
    new Gauge({
      name: 'fedmesh_policy_sync_gate_waiting_clusters',
      help: 'Clusters the policy IP sets wait for (closed gate), or were served without (opened on timeout).',
      registers: [this.registry],
      collect() {
        this.set(state().waitingFor.length);
      },
    });
  }

  /** core exposes the selector core's memory and its intern table (core/interner.ts sweeps). */
  core(stats: () => CoreStats): void {
    const registers = [this.registry];
    const read = (f: (s: CoreStats) => number) => () => f(stats());
    for (const [name, help, value] of [
      ['fedmesh_core_memory_bytes', "Size of the selector core's linear memory.", read((s) => s.memoryBytes)],
      [
        'fedmesh_core_interned_strings',
        'Label names and values interned in the selector core.',
        read((s) => s.internedStrings),
      ],
    ] as const)
      new Gauge({
        name,
        help,
        registers,
        collect: function () {
          this.set(value());
        },
      });
    // Totals the core keeps itself: each scrape sets the counter to them.
    for (const [name, help, value] of [
      [
        'fedmesh_core_string_sweeps_total',
        'Sweeps of the intern table since start.',
        read((s) => s.stringSweeps),
      ],
      [
        'fedmesh_core_strings_freed_total',
        'Interned strings no label carried any more, freed by sweeps since start.',
        read((s) => s.stringsFreed),
      ],
      [
        'fedmesh_core_string_sweep_seconds_total',
        'Time the thread spent in sweeps of the intern table since start.',
        read((s) => s.stringSweepSeconds),
      ],
    ] as const)
      new Counter({
        name,
        help,
        registers,
        collect: function () {
          this.reset();
          this.inc(value());
        },
      });
  }

  /** admission exposes the requests in flight and the 429 refusals of a. */
  admission(a: Admission): void {
    new Gauge({
      name: 'fedmesh_apiserver_current_inflight_requests',
      help: 'Requests being served, by kind (readOnly, mutating, watch).',
      labelNames: ['kind'],
      registers: [this.registry],
      collect() {
        for (const [kind, n] of Object.entries(a.inFlight)) this.set({ kind }, n);
      },
    });
    new Gauge({
      name: 'fedmesh_apiserver_rejected_requests',
      help: 'Requests refused with 429 because a concurrency limit was reached, since start.',
      registers: [this.registry],
      collect() {
        this.set(a.rejected);
      },
    });
  }

  /** observeRequest records the request when its response finishes. */
  observeRequest(req: Request, res: Response): void {
    const start = process.hrtime.bigint();
    res.once('close', () => {
      const info = res.locals.info as { verb: string; resource: string } | undefined;
      const resource = info ? (this.#known.has(info.resource) ? info.resource : 'other') : '';
      const verb = info?.verb ?? (KNOWN_METHODS.has(req.method) ? req.method.toLowerCase() : 'other');
      const labels = { verb, resource };
      this.#requests.inc({ ...labels, code: String(res.statusCode) });
      this.#latency.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    });
  }

  /** render writes the metrics in the Prometheus text format. */
  async render(res: Response): Promise<void> {
    res.type(this.registry.contentType).send(await this.registry.metrics());
  }
}
