// mesh.ts: one fedmesh replica federating many clusters: the initial sync of the whole mesh, the
// replica's CPU and memory at a steady rate of pod changes spread over the mesh, and the overhead
// of propagation (a pod change in a source cluster until a watch of FederatedEndpoints in the home
// cluster shows it, minus the source cluster's own watch of the same change), each beside its
// reference measured in the same run.
//   npm run bench -- mesh [CLUSTERS] [PODS_PER_CLUSTER] [REAL_APISERVERS] [CHANGES_PER_SECOND] [SECONDS]
//   (default 100 10000 10 1000 30)
//
// How the clusters are made. startControlPlane starts one etcd and REAL_APISERVERS + 1 real
// kube-apiservers: "home", where fedmesh-apiserver runs in this process (startLocalFedmesh, as the
// other benchmarks), and real-0..real-N-1, each holding PODS_PER_CLUSTER pods created through the
// API (no kubelet; status set through the status subresource: Running, Ready, pod IP
// 10.0.<1+i/256>.<i%256>) in 20 namespaces. The CLUSTERS virtual clusters c0..c<CLUSTERS-1> are
// spread round-robin over the real ones (c<k> on real-<k mod N>). Each is an HTTPS reverse proxy
// (bench/mesh-proxy.ts, in a child process) in front of its real kube-apiserver that rewrites the
// JSON it answers, lists and watch streams, so that 10.0.0.0/16 becomes 10.<k+1>.0.0/16: c<k> has
// its own pod IPs, none shared with any other cluster, and fedmesh names its objects c<k>.<pod> with
// UIDs derived from c<k>. fedmesh reaches c<k> through a RemoteClusterConfiguration c<k> whose Secret
// holds a kubeconfig for the proxy (the proxy's CA) with a token of the real cluster's
// least-privilege reader (connect.ts remoteKubeconfig), which the proxy forwards. Every change to a
// real pod is seen by each virtual cluster in front of it: CHANGES_PER_SECOND mesh changes are
// CHANGES_PER_SECOND * N / CLUSTERS label patches per second on the real kube-apiservers. The real
// clusters have no Node objects (pods name nodes that do not exist): no host endpoints to tell apart.
// The proxies and every client (pod creation, patches, watches) run in child processes
// (bench/mesh-load.ts, bench/mesh-watch.ts), so this process's CPU and memory are fedmesh's; it
// serves two watchers of FederatedEndpoints, the home kube-apiserver's aggregator and one directly
// on fedmesh that tells the aggregator's part of the overhead from fedmesh's.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parse, stringify } from 'yaml';
import { createCA, issueCert, type KeyPair } from '../core/pki.js';
import type { Cluster } from '../test/harness/cluster.js';
import { remoteKubeconfig } from '../test/harness/connect.js';
import { startControlPlane, type ControlPlane } from '../test/harness/controlplane.js';
import { startLocalFedmesh, applyObjects, type LocalFedmesh } from '../test/harness/fedmesh.js';
import { Child, MiB, type Target } from './mesh-ipc.js';
import type { LoadCommand, LoadResult } from './mesh-load.js';
import type { ProxyCommand, ProxyStats } from './mesh-proxy.js';
import {
  Sampler,
  instrument,
  printPropagation,
  printUsage,
  rccRequests,
  rssOf,
  spread,
} from './mesh-sample.js';
import { quantile } from './stats.js';

const arg = (i: number, d: number): number => Number(process.argv[2 + i] ?? d);
const [CLUSTERS, PODS, REAL, RATE, SECONDS] = [
  arg(0, 100),
  arg(1, 10_000),
  arg(2, 10),
  arg(3, 1000),
  arg(4, 30),
];
const WARMUP_MS = 5000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const perReal = (): string =>
  CLUSTERS % REAL ? `${Math.floor(CLUSTERS / REAL)}-${Math.ceil(CLUSTERS / REAL)}` : String(CLUSTERS / REAL);
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();

/** Mesh is everything a run starts. */
interface Mesh {
  cp: ControlPlane;
  home: Cluster;
  reals: Cluster[];
  fm: LocalFedmesh;
  proxy: Child<ProxyCommand, unknown>;
  load: Child<LoadCommand, unknown>;
  /** Per virtual cluster: its name, its real cluster's index and how fedmesh reaches it. */
  virtual: { name: string; real: number; target: Target }[];
  proxyCA: KeyPair;
}

const admin = (c: Cluster, url = c.url): Target => ({
  url,
  ca: c.pki.servingCA.certPem,
  cert: c.pki.admin.certPem,
  key: c.pki.admin.keyPem,
});

// virtualClusters starts the proxies and returns how to reach each virtual cluster.
async function virtualClusters(m: Omit<Mesh, 'virtual'>): Promise<Mesh['virtual']> {
  const tokens = await Promise.all(
    m.reals.map(async (c) => {
      const kc = parse(await remoteKubeconfig(c)) as { users: { user: { token: string } }[] };
      return kc.users[0]!.user.token;
    }),
  );
  const serving = issueCert(m.proxyCA, {
    commonName: 'mesh-proxy',
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
  });
  const real = (k: number): number => k % REAL;
  const { ports } = await m.proxy.ask<{ ports: number[] }>({
    op: 'start',
    certPem: serving.certPem,
    keyPem: serving.keyPem,
    clusters: Array.from({ length: CLUSTERS }, (_, k) => ({
      octet: k + 1,
      upstream: m.reals[real(k)]!.url,
      upstreamCA: m.reals[real(k)]!.pki.servingCA.certPem,
    })),
  });
  return ports.map((port, k) => ({
    name: `c${k}`,
    real: real(k),
    target: { url: `https://127.0.0.1:${port}`, ca: m.proxyCA.certPem, token: tokens[real(k)]! },
  }));
}

// rccObjects are what `kubectl mesh connect` leaves in the home cluster for each virtual cluster.
function rccObjects(m: Mesh): { kind: string }[] {
  return m.virtual.flatMap((v) => {
    const kubeconfig = stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        {
          name: v.name,
          cluster: {
            server: v.target.url,
            'certificate-authority-data': Buffer.from(v.target.ca).toString('base64'),
          },
        },
      ],
      users: [{ name: 'fedmesh', user: { token: v.target.token } }],
      contexts: [{ name: v.name, context: { cluster: v.name, user: 'fedmesh' } }],
      'current-context': v.name,
    });
    const secret = { name: `remote-${v.name}`, namespace: 'fedmesh' };
    return [
      { apiVersion: 'v1', kind: 'Secret', metadata: secret, stringData: { kubeconfig } },
      {
        apiVersion: 'config.federated.mesh/v1alpha1',
        kind: 'RemoteClusterConfiguration',
        metadata: { name: v.name },
        spec: { clusterAccessSecret: secret },
      },
    ];
  });
}

const heapAndExternal = (): number => {
  gc();
  const u = process.memoryUsage();
  return u.heapUsed + u.external;
};

// initialSync applies every RCC at once and waits until fedmesh holds every endpoint.
async function initialSync(m: Mesh, conflicts: { calls: number; ms: number }): Promise<void> {
  const total = CLUSTERS * PODS;
  const before = heapAndExternal();
  conflicts.calls = conflicts.ms = 0;
  // Secrets first, as `kubectl mesh connect` writes them: the clock starts with the RCCs.
  const objects = rccObjects(m);
  const rcc = (o: { kind: string }): boolean => o.kind === 'RemoteClusterConfiguration';
  await applyObjects(m.home.kubeconfig, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fedmesh' } },
    ...objects.filter((o) => !rcc(o)),
  ]);
  const read0 = await m.proxy.ask<ProxyStats>({ op: 'stats' });
  const t0 = performance.now();
  await applyObjects(m.home.kubeconfig, objects.filter(rcc));
  const applied = performance.now() - t0;
  let peak = 0;
  let lastNote = performance.now();
  const deadline = Date.now() + 600_000 + total * 2;
  while (m.fm.mesh.endpoints.size < total) {
    if (Date.now() > deadline)
      throw new Error(`initial sync: ${m.fm.mesh.endpoints.size}/${total} endpoints`);
    peak = Math.max(peak, process.memoryUsage.rss());
    if (performance.now() - lastNote > 10_000) {
      lastNote = performance.now();
      const done = m.virtual.filter((v) => m.fm.mesh.counts(v.name).workloads >= PODS).length;
      console.error(
        `mesh: ${m.fm.mesh.endpoints.size}/${total} endpoints, ${done}/${CLUSTERS} clusters complete, RSS ${MiB(peak)} MiB`,
      );
    }
    await sleep(100);
  }
  const ms = performance.now() - t0;
  const read = (await m.proxy.ask<ProxyStats>({ op: 'stats' })).bytes - read0.bytes;
  const syncCalls = { ...conflicts };
  const after = heapAndExternal();
  const mem = process.memoryUsage();
  const ips = (v: number): string =>
    String(m.fm.mesh.endpoints.get(`bench-0/c${v}.pod-0`)?.obj.spec.ips ?? '(missing)');
  console.log(
    `  fedmesh: RCCs applied -> every endpoint held       ${(ms / 1000).toFixed(1)} s (of which kubectl apply of the RCCs ${(applied / 1000).toFixed(1)} s); it read ${MiB(read)} MiB of JSON through the proxies`,
  );
  console.log(
    `  fedmesh memory after sync: RSS ${MiB(mem.rss)} MiB (peak during sync ${MiB(Math.max(peak, mem.rss))}), JS heap ${MiB(mem.heapUsed)} MiB, external ${MiB(mem.external)} MiB; ${((after - before) / total).toFixed(0)} bytes per endpoint (heap + external growth)`,
  );
  console.log(
    `  fedmesh during sync: ${syncCalls.calls} ipConflicts calls took ${(syncCalls.ms / 1000).toFixed(2)} s; IP conflicts it reports: ${m.fm.mesh.ipConflicts(undefined, 10).length}; pod-0 of c0, c1: ${ips(0)}, ${ips(Math.min(1, CLUSTERS - 1))}`,
  );
}

// references times what the real clusters themselves take: creating the pods and listing them.
async function references(m: Mesh): Promise<void> {
  const made = await m.load.ask<{ ms: number }>({
    op: 'populate',
    clusters: m.reals.map((c) => admin(c)),
    pods: PODS,
  });
  const direct = await m.load.ask<{ ms: number[]; items: number }>({
    op: 'list',
    target: admin(m.reals[0]!),
    runs: 5,
  });
  const proxied = await m.load.ask<{ ms: number[] }>({ op: 'list', target: m.virtual[0]!.target, runs: 5 });
  console.log(
    `  reference: the ${REAL} real kube-apiservers created their ${REAL * PODS} pods (create + status)   ${(made.ms / 1000).toFixed(1)} s`,
  );
  console.log(
    `  reference: real-0 lists its ${direct.items} pods in pages of 500, ms, median (min-max) of 5: ${spread(direct.ms)}; through a proxy ${spread(proxied.ms)}; ${CLUSTERS} such lists one after another ${((quantile(direct.ms, 0.5) * CLUSTERS) / 1000).toFixed(1)} s`,
  );
}

// steady runs the change rate for SECONDS after a warm-up and prints CPU, memory and propagation.
async function steady(m: Mesh, conflicts: { calls: number; ms: number }): Promise<void> {
  const virtual = m.reals.map((_, r) => m.virtual.filter((v) => v.real === r).map((v) => v.name));
  const proxied = m.reals.map((_, r) => m.virtual.find((v) => v.real === r)!.target);
  const fedmesh = { ...admin(m.home, `https://127.0.0.1:${m.fm.port}`), ca: m.fm.caPem };
  const spec = { home: admin(m.home), fedmesh, sources: m.reals.map((c) => admin(c)), proxied, virtual };
  await m.load.ask({ op: 'watch', spec });
  const perCluster = RATE / CLUSTERS;
  await m.load.ask({ op: 'start', clusters: spec.sources, pods: PODS, perClusterPerSecond: perCluster });
  console.error(`mesh: steady load started; ${WARMUP_MS / 1000} s warm-up, then ${SECONDS} s measured`);
  await sleep(WARMUP_MS);
  await m.load.ask({ op: 'mark' });
  conflicts.calls = conflicts.ms = 0;
  const pid = (c: Cluster): number => c.apiserver!.child.pid!;
  const sampler = new Sampler({
    real: m.reals.map(pid),
    home: [pid(m.home)],
    etcd: [m.cp.etcd.process.child.pid!],
    proxies: [m.proxy.pid],
    clients: [m.load.pid],
  });
  const rcc0 = await rccRequests(m.home);
  // How long this process's event loop (fedmesh's) was late: the part of the overhead spent waiting
  // for fedmesh's own work rather than in transit.
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  for (let s = 0; s < SECONDS; s++) {
    await sleep(1000);
    sampler.tick();
  }
  loop.disable();
  const lag = (p: number): string => (loop.percentile(p) / 1e6).toFixed(1);
  const loopDelay = `p50 ${lag(50)}, p99 ${lag(99)}, max ${(loop.max / 1e6).toFixed(1)} ms`;
  const rcc = [...(await rccRequests(m.home))].map(
    ([k, n]) => `${k} ${((n - (rcc0.get(k) ?? 0)) / SECONDS).toFixed(1)}/s`,
  );
  const r = await m.load.ask<LoadResult>({ op: 'stop', settleMs: 15_000 });
  printSteady(m, r, sampler, { ...conflicts, rcc, loopDelay }, perCluster * REAL);
}

function printSteady(
  m: Mesh,
  r: LoadResult,
  s: Sampler,
  probes: { calls: number; ms: number; rcc: string[]; loopDelay: string },
  patchRate: number,
): void {
  const achieved = r.patches / r.seconds;
  console.log(
    `\nsteady state: ${RATE} pod changes/s spread over the mesh for ${SECONDS} s (after ${WARMUP_MS / 1000} s warm-up) = ${patchRate.toFixed(0)} label patches/s on the ${REAL} real kube-apiservers, each seen by the ${perReal()} virtual clusters in front of it`,
  );
  console.log(
    `  achieved: ${achieved.toFixed(0)} patches/s = ${(r.expectedHome / r.seconds).toFixed(0)} mesh changes/s; ${r.failed} patches failed`,
  );
  printUsage(s, [
    ['fedmesh (this process)', 'fedmesh'],
    [`reference: the ${REAL} real kube-apiservers, together`, 'real'],
    ['reference: home kube-apiserver (aggregator, home watch)', 'home'],
    ['reference: etcd', 'etcd'],
    [`harness: the ${CLUSTERS} proxies`, 'proxies'],
    ['harness: clients (patches, watches)', 'clients'],
  ]);
  console.log(
    `  fedmesh CPU per mesh change: ${((s.mean('fedmesh') * 10) / (r.expectedHome / r.seconds)).toFixed(3)} ms`,
  );
  const rss = (c: Cluster): number => rssOf([c.apiserver!.child.pid!]) / 2 ** 20;
  console.log(
    `  reference RSS, MiB: real kube-apiservers ${spread(m.reals.map(rss))} each, home kube-apiserver ${rss(m.home).toFixed(0)}, etcd ${MiB(rssOf([m.cp.etcd.process.child.pid!]))}`,
  );
  console.log(
    `  fedmesh in MeshStore.ipConflicts (cluster health, on every sync batch): ${(probes.calls / SECONDS).toFixed(0)} calls/s, ${(probes.ms / Math.max(1, probes.calls)).toFixed(2)} ms each, ${((probes.ms / SECONDS / 1000) * 100).toFixed(1)}% of the window (wall clock)`,
  );
  console.log(`  fedmesh's RemoteClusterConfiguration requests to home, per verb: ${probes.rcc.join(', ')}`);
  console.log(`  fedmesh's event loop, how late it ran (delay): ${probes.loopDelay}`);
  printPropagation(r);
}

async function main(): Promise<void> {
  if (!(CLUSTERS >= REAL && REAL >= 1 && CLUSTERS <= 254 && PODS >= 1 && PODS <= 255 * 256))
    throw new Error('need 1 <= REAL_APISERVERS <= CLUSTERS <= 254 and 1 <= PODS_PER_CLUSTER <= 65280');
  const names = Array.from({ length: REAL }, (_, r) => `real-${r}`);
  console.error(`mesh: starting etcd and ${REAL + 1} kube-apiservers`);
  const cp = await startControlPlane({ clusters: ['home', ...names] });
  const proxy = new Child<ProxyCommand, unknown>('proxy');
  const load = new Child<LoadCommand, unknown>('load');
  let fm: LocalFedmesh | undefined;
  try {
    const home = cp.cluster('home');
    fm = await startLocalFedmesh(home);
    const conflicts = instrument(fm.mesh);
    const base = {
      cp,
      home,
      reals: names.map((n) => cp.cluster(n)),
      fm,
      proxy,
      load,
      proxyCA: createCA('mesh-proxy-ca'),
    };
    const m: Mesh = { ...base, virtual: await virtualClusters(base) };
    console.log(
      `mesh: ${CLUSTERS} virtual clusters (${REAL} real kube-apiservers, ${perReal()} proxies each) x ${PODS} pods; one fedmesh replica in this process, home cluster "home"`,
    );
    console.log(`\ninitial sync of ${CLUSTERS * PODS} endpoints from ${CLUSTERS} clusters:`);
    console.error(`mesh: creating ${REAL} x ${PODS} pods`);
    await references(m);
    console.error(`mesh: applying ${CLUSTERS} RemoteClusterConfigurations`);
    await initialSync(m, conflicts);
    await steady(m, conflicts);
  } finally {
    await fm?.stop();
    proxy.kill();
    load.kill();
    await cp.stop();
  }
}

// Exit when done: keep-alive sockets to the stopped servers must not hold the process.
await main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
