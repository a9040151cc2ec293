// federation.ts: propagation latency (pod created in cluster B until the ADDED event on a watch
// in cluster A, through A's kube-apiserver and fedmesh) beside B's own watch latency for the same
// pods in the same run; and memory per federated endpoint at 100k endpoints.
//   npm run bench -- federation [PODS] [ENDPOINTS]   (default 1000 100000; PODS 0: memory only, ENDPOINTS 0: propagation only)
import { Agent, request } from 'node:https';
import { Core } from '../core/index.js';
import { syntheticPod } from './workload.js';
import { MeshStore } from '../apiserver/mesh/meshstore.js';
import type { Cluster } from '../test/harness/cluster.js';
import { connect } from '../test/harness/connect.js';
import { startControlPlane } from '../test/harness/controlplane.js';
import { startLocalFedmesh } from '../test/harness/fedmesh.js';
import { quantile } from './stats.js';

function agentFor(c: Cluster): Agent {
  return new Agent({
    keepAlive: true,
    maxSockets: 16,
    ca: c.pki.servingCA.certPem,
    cert: c.pki.admin.certPem,
    key: c.pki.admin.keyPem,
  });
}

/** watchAdded opens a watch and records when each named object is first ADDED. */
function watchAdded(
  c: Cluster,
  path: string,
  nameOf: (o: { metadata: { name: string } }) => string,
  seen: Map<string, number>,
): () => void {
  const req = request(`${c.url}${path}`, { agent: agentFor(c) }, (res) => {
    let buf = '';
    res.on('data', (d: Buffer) => {
      const now = performance.now();
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const ev = JSON.parse(buf.slice(0, nl)) as { type: string; object: { metadata: { name: string } } };
        buf = buf.slice(nl + 1);
        if (ev.type === 'ADDED' && !seen.has(nameOf(ev.object))) seen.set(nameOf(ev.object), now);
      }
    });
  });
  req.end();
  return () => req.destroy();
}

function post(c: Cluster, agent: Agent, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${c.url}${path}`,
      { method: 'POST', agent, headers: { 'Content-Type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function propagation(n: number): Promise<void> {
  const cp = await startControlPlane({ clusters: ['a', 'b'] });
  try {
    const [a, b] = [cp.cluster('a'), cp.cluster('b')];
    const fm = await startLocalFedmesh(a);
    await connect(a, b);
    await post(b, agentFor(b), '/api/v1/namespaces', { metadata: { name: 'prop' } });
    const inA = new Map<string, number>();
    const inB = new Map<string, number>();
    const stopA = watchAdded(
      a,
      '/apis/federated.mesh/v1alpha1/namespaces/prop/federatedendpoints?watch=true&labelSelector=bench%3Dprop',
      (o) => o.metadata.name.replace(/^b\./, ''),
      inA,
    );
    const stopB = watchAdded(
      b,
      '/api/v1/namespaces/prop/pods?watch=true&labelSelector=bench%3Dprop',
      (o) => o.metadata.name,
      inB,
    );
    await new Promise((r) => setTimeout(r, 2000));
    const sent = new Map<string, number>();
    const agent = agentFor(b);
    for (let i = 0; i < n; i += 4) {
      await Promise.all(
        [0, 1, 2, 3]
          .filter((j) => i + j < n)
          .map(async (j) => {
            const name = `p-${i + j}`;
            sent.set(name, performance.now());
            const code = await post(b, agent, '/api/v1/namespaces/prop/pods', {
              metadata: { name, labels: { bench: 'prop' } },
              spec: { containers: [{ name: 'c', image: 'x' }] },
            });
            if (code !== 201) throw new Error(`create ${name}: HTTP ${code}`);
          }),
      );
    }
    const deadline = Date.now() + 60_000;
    while (inA.size < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    stopA();
    stopB();
    const lat = (seen: Map<string, number>) =>
      [...sent].filter(([k]) => seen.has(k)).map(([k, t]) => seen.get(k)! - t);
    const la = lat(inA);
    const lb = lat(inB);
    const row = (what: string, xs: number[]) =>
      console.log(
        `${what.padEnd(46)} ${String(xs.length).padStart(5)}  p50 ${quantile(xs, 0.5).toFixed(1).padStart(7)} ms  p99 ${quantile(xs, 0.99).toFixed(1).padStart(7)} ms  max ${Math.max(
          ...xs,
        )
          .toFixed(1)
          .padStart(7)} ms`,
      );
    console.log(`propagation of ${n} pods created in cluster B (4 concurrent creates):`);
    row("B's own watch (kube-apiserver B)", lb);
    row('watch in A (A kube-apiserver -> fedmesh -> B)', la);
    await fm.stop();
  } finally {
    await cp.stop();
  }
}

async function memory(n: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc (npm run bench does)');
  const core = Core.load();
  const m = new MeshStore(core);
  // process.memoryUsage().external already includes arrayBuffers (Buffers and the core's linear
  // memory): heap plus external is everything the store holds, counted once.
  const used = () => {
    gc();
    const u = process.memoryUsage();
    return { heap: u.heapUsed, external: u.external, rss: u.rss };
  };
  const before = used();
  for (let i = 0; i < n; i += 1000)
    m.apply(
      'b',
      'pods',
      Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ upsert: syntheticPod(i + j) })),
    );
  const after = used();
  const per = (k: 'heap' | 'external') => (after[k] - before[k]) / n;
  console.log(
    `memory of the mesh store at ${n} endpoints: ${(per('heap') + per('external')).toFixed(0)} bytes per federated endpoint (JS heap ${per('heap').toFixed(0)} + external ${per('external').toFixed(0)}, of which the core's index ${(core.stats().memoryBytes / n).toFixed(0)}); process RSS ${mib(after.rss)} MiB right after loading`,
  );
  // V8 keeps the heap it grew to while loading and gives pages back once idle (its memory reducer
  // runs full collections that compact): RSS after 15 s idle, then once those collections are done.
  await new Promise((r) => setTimeout(r, 15_000));
  const idle = process.memoryUsage().rss;
  for (let i = 0; i < 5; i++) gc();
  console.log(
    `process RSS after 15 s idle ${mib(idle)} MiB, after the idle collections ${mib(process.memoryUsage().rss)} MiB (store still live: ${m.counts('b').workloads} endpoints)`,
  );
}

const mib = (b: number): string => (b / 2 ** 20).toFixed(0);

const n = Number(process.argv[2] ?? 1000);
const endpoints = Number(process.argv[3] ?? 100_000);
if (endpoints > 0) await memory(endpoints);
if (n > 0) await propagation(n);
