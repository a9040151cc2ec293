// apiserver.ts: list latency of FederatedEndpoints (JSON and Table, directly and through the
// kube-apiserver aggregator) beside kube-apiserver listing the same number of pods, in one run;
// plus the time fedmesh takes to sync them and its memory per endpoint.
//   npm run bench -- apiserver [SIZES]   (default 10000,100000)
import { Agent, request } from 'node:https';
import { startControlPlane } from '../test/harness/controlplane.js';
import { startLocalFedmesh } from '../test/harness/fedmesh.js';
import type { Cluster } from '../test/harness/cluster.js';
import { quantile } from './stats.js';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
const RUNS = 5;

interface Client {
  get(path: string, accept?: string): Promise<{ status: number; bytes: number }>;
  post(path: string, body: unknown): Promise<number>;
}

function client(baseURL: string, c: Cluster): Client {
  const agent = new Agent({
    keepAlive: true,
    maxSockets: 64,
    ca: c.pki.servingCA.certPem,
    cert: c.pki.admin.certPem,
    key: c.pki.admin.keyPem,
    rejectUnauthorized: false,
  });
  const call = (
    method: string,
    path: string,
    accept: string,
    body?: string,
  ): Promise<{ status: number; bytes: number }> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Accept: accept };
      if (body) headers['Content-Type'] = 'application/json';
      const req = request(`${baseURL}${path}`, { method, agent, headers }, (res) => {
        let bytes = 0;
        res.on('data', (d: Buffer) => (bytes += d.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      });
      req.on('error', reject);
      req.end(body);
    });
  return {
    get: (path, accept = 'application/json') => call('GET', path, accept),
    post: async (path, body) => (await call('POST', path, 'application/json', JSON.stringify(body))).status,
  };
}

async function createPods(kube: Client, from: number, to: number): Promise<void> {
  let next = from;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < to; i = next++) {
      const ns = `bench-${i % 20}`;
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: `pod-${i}`,
          namespace: ns,
          labels: { app: `app-${i % 50}`, tier: ['web', 'api', 'data'][i % 3]!, version: `v${i % 4}` },
        },
        spec: {
          nodeName: `node-${i % 100}`,
          containers: [
            { name: 'app', image: 'registry.example/app:1', ports: [{ name: 'http', containerPort: 8080 }] },
          ],
        },
      };
      const status = await kube.post(`/api/v1/namespaces/${ns}/pods`, pod);
      if (status !== 201) throw new Error(`creating pod ${i}: HTTP ${status}`);
    }
  };
  await Promise.all(Array.from({ length: 48 }, worker));
}

async function timeList(c: Client, path: string, accept: string): Promise<{ ms: number[]; bytes: number }> {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = process.hrtime.bigint();
    const r = await c.get(path, accept);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status}`);
    bytes = r.bytes;
  }
  return { ms, bytes };
}

const cell = (xs: number[]): string =>
  `${quantile(xs, 0.5).toFixed(0)} (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;

async function measure(n: number, kube: Client, fedmesh: Client): Promise<string[][]> {
  const rows: string[][] = [];
  const cases: [string, Client, string, string][] = [
    ['kube-apiserver: list pods', kube, '/api/v1/pods', 'application/json'],
    ['kube-apiserver: list pods (Table)', kube, '/api/v1/pods', TABLE],
    [
      'fedmesh direct: list fep',
      fedmesh,
      '/apis/federated.mesh/v1alpha1/federatedendpoints',
      'application/json',
    ],
    ['fedmesh direct: list fep (Table)', fedmesh, '/apis/federated.mesh/v1alpha1/federatedendpoints', TABLE],
    [
      'fedmesh via aggregator: list fep',
      kube,
      '/apis/federated.mesh/v1alpha1/federatedendpoints',
      'application/json',
    ],
    [
      'fedmesh via aggregator: list fep (Table)',
      kube,
      '/apis/federated.mesh/v1alpha1/federatedendpoints',
      TABLE,
    ],
  ];
  for (const [name, c, path, accept] of cases) {
    const r = await timeList(c, path, accept);
    rows.push([String(n), name, cell(r.ms), (r.bytes / 1e6).toFixed(1)]);
  }
  return rows;
}

function print(rows: string[][]): void {
  const all = [['objects', 'request', 'ms: median (min-max) of 5', 'MB'], ...rows];
  const w = all[0]!.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  for (const r of all) console.log(r.map((c, i) => c.padEnd(w[i]! + 2)).join(''));
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
  const cp = await startControlPlane({ clusters: ['bench'] });
  try {
    const c = cp.cluster('bench');
    const kube = client(c.url, c);
    const fm = await startLocalFedmesh(c);
    const fedmesh = client(`https://127.0.0.1:${fm.port}`, c);
    for (let i = 0; i < 20; i++) await kube.post('/api/v1/namespaces', { metadata: { name: `bench-${i}` } });
    const rows: string[][] = [];
    let have = 0;
    for (const n of sizes) {
      const t = Date.now();
      await createPods(kube, have, n);
      const created = Date.now();
      while (fm.mesh.endpoints.size < n) await new Promise((r) => setTimeout(r, 50));
      console.error(
        `${n} pods: created in ${((created - t) / 1000).toFixed(1)} s; fedmesh synced ${((Date.now() - created) / 1000).toFixed(1)} s after the last create`,
      );
      have = n;
      global.gc?.();
      const mem = process.memoryUsage();
      console.error(
        `process memory at ${n} endpoints: heap ${(mem.heapUsed / 1e6).toFixed(0)} MB, external+arrayBuffers ${((mem.external + mem.arrayBuffers) / 1e6).toFixed(0)} MB, rss ${(mem.rss / 1e6).toFixed(0)} MB`,
      );
      rows.push(...(await measure(n, kube, fedmesh)));
    }
    print(rows);
    await fm.stop();
  } finally {
    await cp.stop();
  }
}

await main();
