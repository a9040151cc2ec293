// mesh-sample.ts: CPU and memory of the processes of `npm run bench -- mesh`, sampled once a second:
// fedmesh (this process, process.cpuUsage and process.memoryUsage) beside the kube-apiservers,
// etcd and the benchmark's own helper processes (/proc/PID/stat); and two probes of fedmesh: its
// calls of MeshStore.ipConflicts and its requests for RemoteClusterConfigurations to home.
import type { MeshStore } from '../apiserver/mesh/meshstore.js';
import type { Cluster } from '../test/harness/cluster.js';
import { MiB, cpuSeconds, rssBytes } from './mesh-ipc.js';
import type { Samples } from './mesh-watch.js';
import { quantile } from './stats.js';

/** Groups name sets of process IDs whose CPU is summed (fedmesh is this process, always measured). */
export type Groups = Record<string, number[]>;

/** Sampler records, per group, the CPU of each interval in % of one core, and fedmesh's memory. */
export class Sampler {
  readonly cpu = new Map<string, number[]>();
  readonly rss: number[] = [];
  readonly heap: number[] = [];
  #wall = performance.now();
  #start = this.#wall;
  #self = process.cpuUsage();
  readonly #selfStart = this.#self;
  #selfTotal = 0;
  #last: Map<string, number>;
  readonly #first: Map<string, number>;

  constructor(private readonly groups: Groups) {
    this.#last = this.#read();
    this.#first = this.#last;
    for (const g of ['fedmesh', ...Object.keys(groups)]) this.cpu.set(g, []);
  }

  #read(): Map<string, number> {
    const m = new Map<string, number>();
    for (const [g, pids] of Object.entries(this.groups))
      m.set(
        g,
        pids.reduce((s, p) => s + cpuSeconds(p), 0),
      );
    return m;
  }

  /** tick closes an interval. */
  tick(): void {
    const wall = performance.now();
    const secs = (wall - this.#wall) / 1000;
    const self = process.cpuUsage(this.#self);
    this.cpu.get('fedmesh')!.push(((self.user + self.system) / 1e6 / secs) * 100);
    this.#self = process.cpuUsage();
    const total = process.cpuUsage(this.#selfStart);
    this.#selfTotal = (total.user + total.system) / 1e6;
    const read = this.#read();
    for (const [g, v] of read) this.cpu.get(g)!.push(((v - this.#last.get(g)!) / secs) * 100);
    this.#last = read;
    this.#wall = wall;
    const mem = process.memoryUsage();
    this.rss.push(mem.rss);
    this.heap.push(mem.heapUsed);
  }

  /** mean is a group's CPU over the whole window, in % of one core. */
  mean(group: string): number {
    const secs = (this.#wall - this.#start) / 1000;
    if (group === 'fedmesh') return (this.#selfTotal / secs) * 100;
    return ((this.#last.get(group)! - this.#first.get(group)!) / secs) * 100;
  }
}

/** spread formats samples as median (min-max). */
export const spread = (xs: number[], digits = 0): string =>
  xs.length === 0
    ? '-'
    : `${quantile(xs, 0.5).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;

/** rssOf sums the resident memory of processes. */
export const rssOf = (pids: number[]): number => pids.reduce((s, p) => s + rssBytes(p), 0);

/** printUsage prints each group's CPU (label, group) and fedmesh's memory over the window. */
export function printUsage(s: Sampler, groups: [string, string][]): void {
  console.log('  CPU, % of one core: per-second median (min-max), and the mean over the window');
  for (const [what, g] of groups)
    console.log(`    ${what.padEnd(56)} ${spread(s.cpu.get(g)!).padEnd(16)} mean ${s.mean(g).toFixed(0)}`);
  (globalThis as { gc?: () => void }).gc?.();
  const mib = (xs: number[]): string => spread(xs.map((b) => b / 2 ** 20));
  console.log(
    `  fedmesh memory, MiB, per-second median (min-max): RSS ${mib(s.rss)}, JS heap ${mib(s.heap)}; JS heap after GC ${MiB(process.memoryUsage().heapUsed)}`,
  );
}

/** printPropagation prints the latency of each watch and the home watch's overhead, in ms. */
export function printPropagation(r: Samples): void {
  const row = (what: string, xs: number[]): void => {
    const q = (p: number): string => (xs.length ? quantile(xs, p).toFixed(1) : '-').padStart(7);
    const max = (xs.length ? Math.max(...xs).toFixed(1) : '-').padStart(7);
    console.log(
      `  ${what.padEnd(66)} ${String(xs.length).padStart(7)}  p50 ${q(0.5)}  p99 ${q(0.99)}  max ${max}`,
    );
  };
  console.log(
    `\npropagation, ms from the PATCH request (home watch: ${r.home.length} of ${r.expectedHome} seen):`,
  );
  row("source cluster's own watch (its kube-apiserver)", r.source);
  row('the same watch through a proxy (the hop fedmesh also takes)', r.proxied);
  row('home watch of FederatedEndpoints (aggregator, fedmesh, proxy)', r.home);
  row("overhead: home minus the source's own watch (target p99 <= 20)", r.overhead);
  row('overhead without the proxy: home minus the proxied watch', r.overProxied);
  row('watch directly on fedmesh (no aggregator)', r.direct);
  row("its overhead: minus the source's own watch", r.overDirect);
}

/** instrument counts fedmesh's calls of MeshStore.ipConflicts (its RCC health asks on every sync batch) and their time. */
export function instrument(mesh: MeshStore): { calls: number; ms: number } {
  const acc = { calls: 0, ms: 0 };
  const orig = mesh.ipConflicts.bind(mesh);
  mesh.ipConflicts = (cluster, limit) => {
    const t = performance.now();
    try {
      return orig(cluster, limit);
    } finally {
      acc.calls++;
      acc.ms += performance.now() - t;
    }
  };
  return acc;
}

/** rccRequests sums the home kube-apiserver's request counters for RemoteClusterConfigurations by verb. */
export async function rccRequests(home: Cluster): Promise<Map<string, number>> {
  const m = new Map<string, number>();
  for (const line of (await home.get('/metrics')).body.split('\n')) {
    if (!line.startsWith('apiserver_request_total{') || !line.includes('"remoteclusterconfigurations"'))
      continue;
    const verb =
      `${/verb="([^"]+)"/.exec(line)?.[1]} ${/subresource="([^"]*)"/.exec(line)?.[1] ?? ''}`.trim();
    m.set(verb, (m.get(verb) ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return m;
}
