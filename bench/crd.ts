// crd.ts: fedmesh-apiserver beside kube-apiserver serving the same FederatedEndpoints as a custom
// resource (same group, version, kind and fields, managedFields stripped: the same bytes but for
// uid, timestamps and resourceVersion), in one run. It lists them as JSON, as a Table and as a
// protobuf PartialObjectMetadataList, directly and (fedmesh) through the aggregator, timing during
// each list the slowest answer to a GET of one endpoint (what a list costs every other request);
// and it times the fan-out of one change to W watchers of the whole collection: for fedmesh from
// the change in its mesh store (its fan-out alone, without the source cluster's hop), for
// kube-apiserver from the PATCH request. The clients run in a child process (crd-client.ts), apart
// from both servers.
//   npm run bench -- crd [SIZES] [WATCHERS] [ROUNDS]   (default 10000,100000 1000 5)
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:https';
import { extname } from 'node:path';
import { GROUP_VERSION } from '../apiserver/types.js';
import type { Cluster } from '../test/harness/cluster.js';
import { startControlPlane } from '../test/harness/controlplane.js';
import { quietLogger, startLocalFedmesh, type LocalFedmesh } from '../test/harness/fedmesh.js';
import { applyObjects, kubectlOk } from '../test/harness/kubectl.js';
import { now, spread, type Command, type Reply, type Server } from './crd-client.js';
import { quantile } from './stats.js';
import { syntheticPod } from './workload.js';

const PLURAL = 'federatedendpoints';
const PATH = `/apis/${GROUP_VERSION}/${PLURAL}`;
const FORMS: [string, string][] = [
  ['JSON', 'application/json'],
  ['Table', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json'],
  [
    'protobuf metadata',
    'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json',
  ],
];
const NAMESPACES = 50; // as syntheticPod spreads them
// PROBE is one endpoint, read over and over while a list runs: a server that holds everything else
// while it lists shows here.
const PROBE = `/apis/${GROUP_VERSION}/namespaces/ns-0/${PLURAL}/b.pod-0`;

// The custom resource kube-apiserver serves: FederatedEndpoint's columns, fields kept as sent.
const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${PLURAL}.federated.mesh` },
  spec: {
    group: 'federated.mesh',
    scope: 'Namespaced',
    names: { plural: PLURAL, singular: 'federatedendpoint', kind: 'FederatedEndpoint', shortNames: ['fep'] },
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        additionalPrinterColumns: [
          ['Cluster', '.spec.cluster'],
          ['IPs', '.spec.ips'],
          ['Node', '.spec.node'],
          ['Age', '.metadata.creationTimestamp', 'date'],
          ['Service Account', '.spec.serviceAccount', 'string', 1],
          ['Ports', '.spec.ports[*].port', 'string', 1],
          ['Ready', '.status.ready', 'boolean', 1],
          ['Stale', '.status.stale', 'boolean', 1],
        ].map(([name, jsonPath, type = 'string', priority = 0]) => ({ name, jsonPath, type, priority })),
      },
    ],
  },
};

function call(
  c: Cluster,
  method: string,
  path: string,
  body: unknown,
  type = 'application/json',
): Promise<number> {
  return new Promise((resolve, reject) => {
    const agent = agents.get(c) ?? new Agent({ keepAlive: true, maxSockets: 64 });
    agents.set(c, agent);
    const req = request(
      `${c.url}${path}`,
      {
        method,
        agent,
        ca: c.pki.servingCA.certPem,
        cert: c.pki.admin.certPem,
        key: c.pki.admin.keyPem,
        headers: { 'Content-Type': type },
      },
      (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)),
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
const agents = new Map<Cluster, Agent>();

// callRetrying is call, retried (up to 10 times, waiting longer each time) while kube-apiserver
// answers 429 or 503: an overloaded server sheds load that way, and a copy of 100k objects on two
// cores meets it.
async function callRetrying(...args: Parameters<typeof call>): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const code = await call(...args);
    if ((code !== 429 && code !== 503) || attempt === 10) return code;
    await new Promise((r) => setTimeout(r, 100 * attempt));
  }
}

// copyToReference creates in kube-apiserver the endpoints fedmesh serves for pods [from, to), as
// fedmesh serves them but for what the server sets, then strips the managedFields it records.
async function copyToReference(fm: LocalFedmesh, ref: Cluster, from: number, to: number): Promise<void> {
  let next = from;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < to; i = next++) {
      const ns = `ns-${i % NAMESPACES}`;
      const obj = fm.mesh.endpoints.get(`${ns}/b.pod-${i}`)!.obj;
      const { resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, ...metadata } = obj.metadata;
      const path = `${PATH.replace(PLURAL, `namespaces/${ns}/${PLURAL}`)}`;
      const made = await callRetrying(ref, 'POST', path, { ...obj, metadata });
      if (made !== 201 && made !== 409)
        throw new Error(`creating ${obj.metadata.name} in the reference: HTTP ${made}`);
      const strip = { metadata: { managedFields: [{}] } };
      const patched = await callRetrying(
        ref,
        'PATCH',
        `${path}/${obj.metadata.name}`,
        strip,
        'application/merge-patch+json',
      );
      if (patched !== 200)
        throw new Error(`stripping managedFields of ${obj.metadata.name}: HTTP ${patched}`);
    }
  };
  await Promise.all(Array.from({ length: 48 }, worker));
}

/** Child is the client process: one command at a time. */
class Child {
  // The client is compiled beside this file (dist/bench) or, run from source, loaded through tsx.
  readonly #p: ChildProcess = fork(new URL(`./crd-client${extname(import.meta.url)}`, import.meta.url), {
    execArgv: import.meta.url.endsWith('.ts') ? ['--import', 'tsx'] : [],
  });
  ask(c: Command): Promise<Reply> {
    return new Promise((resolve) => {
      this.#p.once('message', (r: Reply) => resolve(r));
      this.#p.send(c);
    });
  }
  async must<R extends Reply>(c: Command): Promise<R> {
    const r = await this.ask(c);
    if ('error' in r) throw new Error(`${c.op}: ${r.error}`);
    return r as R;
  }
  kill(): void {
    this.#p.kill();
  }
}

function print(header: string[], rows: string[][]): void {
  const all = [header, ...rows];
  const w = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  for (const r of all) console.log(r.map((c, i) => c.padEnd(w[i]! + 2)).join(''));
}

async function lists(child: Child, servers: [string, Server][], n: number): Promise<string[][]> {
  const rows: string[][] = [];
  for (const [form, accept] of FORMS)
    for (const [name, server] of servers) {
      const r = await child.must<{ ms: number[]; bytes: number; probeMs: number[] }>({
        op: 'list',
        server,
        path: PATH,
        accept,
        runs: 5,
        probe: PROBE,
      });
      rows.push([String(n), form, name, spread(r.ms), spread(r.probeMs), (r.bytes / 1e6).toFixed(1)]);
    }
  return rows;
}

// round changes one endpoint in each server, one after the other, and returns each watcher's
// latency: fedmesh from the change in its mesh store, kube-apiserver from the PATCH request.
async function round(
  clients: Record<'fedmesh' | 'ref', Child>,
  fm: LocalFedmesh,
  ref: Cluster,
  watchers: number,
  r: number,
): Promise<[number[], number[]]> {
  const i = r * 7;
  const name = `b.pod-${i}`;
  const seen = async (id: 'fedmesh' | 'ref', since: number): Promise<number[]> =>
    (await clients[id].must<{ at: number[] }>({ op: 'seen', id, name, watchers, timeoutMs: 30_000 })).at.map(
      (x) => x - since,
    );
  const tf = now();
  fm.mesh.apply('b', 'pods', [{ upsert: syntheticPod(i, r) }]);
  const fl = await seen('fedmesh', tf);
  const path = `${PATH.replace(PLURAL, `namespaces/ns-${i % NAMESPACES}/${PLURAL}`)}/${name}`;
  const change = { metadata: { labels: { change: String(r) } } };
  const tk = now();
  await call(ref, 'PATCH', path, change, 'application/merge-patch+json');
  return [fl, await seen('ref', tk)];
}

async function fanout(
  child: Child,
  fm: LocalFedmesh,
  ref: Cluster,
  servers: Record<'fedmesh' | 'ref', Server>,
  watchers: number,
  rounds: number,
  n: number,
): Promise<void> {
  // Each server's watchers in a client process of their own: 10,000 watches of each would be more
  // sockets than one process may open here (20,000).
  const clients = { fedmesh: child, ref: new Child() };
  try {
    await fanoutRounds(clients, fm, ref, servers, watchers, rounds, n);
  } finally {
    await clients.ref.ask({ op: 'close' });
    clients.ref.kill();
  }
}

async function fanoutRounds(
  clients: Record<'fedmesh' | 'ref', Child>,
  fm: LocalFedmesh,
  ref: Cluster,
  servers: Record<'fedmesh' | 'ref', Server>,
  watchers: number,
  rounds: number,
  n: number,
): Promise<void> {
  const fmRV = String(fm.mesh.revision.current());
  const refList = JSON.parse(await kubectlOk(ref.kubeconfig, ['get', '--raw', `${PATH}?limit=1`])) as {
    metadata: { resourceVersion: string };
  };
  const paths = {
    fedmesh: `${PATH}?watch=1&resourceVersion=${fmRV}`,
    ref: `${PATH}?watch=1&resourceVersion=${refList.metadata.resourceVersion}`,
  };
  for (const id of ['fedmesh', 'ref'] as const)
    await clients[id].must({ op: 'watch', id, server: servers[id], path: paths[id], watchers });
  const lat: Record<'fedmesh' | 'ref', number[]> = { fedmesh: [], ref: [] };
  console.log(
    `\nfan-out of one change to ${watchers} watchers of all ${n} endpoints (ms), ${rounds} rounds:`,
  );
  const row = (xs: number[]): string =>
    `p50 ${quantile(xs, 0.5).toFixed(1)}  p99 ${quantile(xs, 0.99).toFixed(1)} (${xs.length})`;
  for (let r = 1; r <= rounds; r++) {
    const [fl, kl] = await round(clients, fm, ref, watchers, r);
    lat.fedmesh.push(...fl);
    lat.ref.push(...kl);
    console.log(
      `round ${r}: fedmesh (its fan-out alone) ${row(fl)}   kube-apiserver CRD (from the PATCH) ${row(kl)}`,
    );
  }
  const all = (xs: number[]): string =>
    `p50 ${quantile(xs, 0.5).toFixed(1)}  p99 ${quantile(xs, 0.99).toFixed(1)}`;
  console.log(`all rounds: fedmesh ${all(lat.fedmesh)}   kube-apiserver CRD ${all(lat.ref)}`);
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
  const watchers = Number(process.argv[3] ?? 1000);
  const rounds = Number(process.argv[4] ?? 5);
  const cp = await startControlPlane({ clusters: ['mesh', 'ref'] });
  const child = new Child();
  try {
    const mesh = cp.cluster('mesh');
    const ref = cp.cluster('ref');
    // As a user expecting this many watchers would: --max-open-watches above them (default 4,000).
    const fm = await startLocalFedmesh(mesh, quietLogger(), {
      options: { maxOpenWatches: Math.max(4000, watchers + 100) },
    });
    await applyObjects(ref.kubeconfig, [crd]);
    await kubectlOk(ref.kubeconfig, ['wait', '--for=condition=Established', `crd/${crd.metadata.name}`]);
    for (let i = 0; i < NAMESPACES; i++)
      await call(ref, 'POST', '/api/v1/namespaces', { metadata: { name: `ns-${i}` } });
    const client = (c: Cluster, url: string, ca: string): Server => ({
      url,
      ca,
      cert: c.pki.admin.certPem,
      key: c.pki.admin.keyPem,
    });
    const servers = {
      fedmesh: client(mesh, `https://127.0.0.1:${fm.port}`, fm.caPem),
      aggregated: client(mesh, mesh.url, mesh.pki.servingCA.certPem),
      ref: client(ref, ref.url, ref.pki.servingCA.certPem),
    };
    const rows: string[][] = [];
    let have = 0;
    for (const n of sizes) {
      for (let i = have; i < n; i += 1000)
        fm.mesh.apply(
          'b',
          'pods',
          Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ upsert: syntheticPod(i + j) })),
        );
      const t = Date.now();
      await copyToReference(fm, ref, have, n);
      console.error(
        `${n} endpoints: fedmesh has them; kube-apiserver took ${((Date.now() - t) / 1000).toFixed(0)} s to create the rest`,
      );
      have = n;
      rows.push(
        ...(await lists(
          child,
          [
            ['fedmesh direct', servers.fedmesh],
            ['fedmesh via aggregator', servers.aggregated],
            ['kube-apiserver CRD', servers.ref],
          ],
          n,
        )),
      );
    }
    print(
      ['endpoints', 'form', 'server', 'list ms: median (min-max) of 5', 'slowest GET meanwhile ms', 'MB'],
      rows,
    );
    await fanout(child, fm, ref, servers, watchers, rounds, have);
    await child.ask({ op: 'close' });
    await fm.stop();
  } finally {
    child.kill();
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
