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
import { extname } from 'node:path';
import { GROUP_VERSION } from '../apiserver/types.js';
import type { Cluster } from '../test/harness/cluster.js';
import type { ControlPlane } from '../test/harness/controlplane.js';
import { quietLogger, startLocalFedmesh, type LocalFedmesh } from '../test/harness/fedmesh.js';
import { kubectlOk } from '../test/harness/kubectl.js';
import { now, spread, type Command, type Reply, type Server } from './crd-client.js';
import { quantile } from './stats.js';
import {
  NAMESPACES,
  PATH,
  PLURAL,
  call,
  copyToReference,
  prepareReference,
  startMeshAndReference,
} from './crd-reference.js';
import { MiB, rssBytes } from './mesh-ipc.js';
import { syntheticPod } from './workload.js';

const FORMS: [string, string][] = [
  ['JSON', 'application/json'],
  ['Table', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json'],
  [
    'protobuf metadata',
    'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json',
  ],
];
// PROBE is one endpoint, read over and over while a list runs: a server that holds everything else
// while it lists shows here.
const PROBE = `/apis/${GROUP_VERSION}/namespaces/ns-0/${PLURAL}/b.pod-0`;

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
        runs: n >= 1_000_000 ? 3 : 5, // a list of a million takes up to a minute
        probe: PROBE,
      });
      rows.push([String(n), form, name, spread(r.ms), spread(r.probeMs), (r.bytes / 1e6).toFixed(1)]);
      console.error(`listed ${n} endpoints as ${form} from ${name}: ${spread(r.ms)} ms`);
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

// load gives both servers the endpoints of pods [have, n) and prints what that took and cost.
async function load(
  fm: LocalFedmesh,
  ref: Cluster,
  cp: ControlPlane,
  have: number,
  n: number,
): Promise<void> {
  for (let i = have; i < n; i += 1000)
    fm.mesh.apply(
      'b',
      'pods',
      Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ upsert: syntheticPod(i + j) })),
    );
  const t = Date.now();
  await copyToReference(fm, ref, cp.etcd.url, have, n);
  console.error(
    `${n} endpoints: fedmesh has them; kube-apiserver serves them ${((Date.now() - t) / 1000).toFixed(0)} s later (written into its etcd)`,
  );
  console.error(
    `  RSS, MiB: fedmesh's process ${MiB(process.memoryUsage.rss())}, the reference kube-apiserver ${MiB(rssBytes(ref.apiserver!.child.pid!))}, etcd ${MiB(rssBytes(cp.etcd.process.child.pid!))}`,
  );
}

async function main(): Promise<void> {
  const sizes = (process.argv[2] ?? '10000,100000').split(',').map(Number);
  const watchers = Number(process.argv[3] ?? 1000);
  const rounds = Number(process.argv[4] ?? 5);
  const cp = await startMeshAndReference();
  const child = new Child();
  try {
    const mesh = cp.cluster('mesh');
    const ref = cp.cluster('ref');
    // As a user expecting this many watchers would: --max-open-watches above them (default 4,000).
    const fm = await startLocalFedmesh(mesh, quietLogger(), {
      options: { maxOpenWatches: Math.max(4000, watchers + 100) },
    });
    await prepareReference(ref);
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
      await load(fm, ref, cp, have, n);
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
      [
        'endpoints',
        'form',
        'server',
        'list ms: median (min-max) of 5 (3 at 1M)',
        'slowest GET meanwhile ms',
        'MB',
      ],
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
