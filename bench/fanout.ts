// fanout.ts: watch fan-out: one change delivered to N open watches (default 1,000) of
// FederatedEndpoints on fedmesh-apiserver, beside the same number of pod watches on kube-apiserver
// receiving the pod creation that causes it, in the same run. Latency is from the create request
// to each watcher's event; the table gives p50, p99 and max over watchers, per round.
//   npm run bench -- fanout [WATCHERS] [ROUNDS]
import { Agent, request } from 'node:https';
import type { Cluster } from '../test/harness/cluster.js';
import { startControlPlane } from '../test/harness/controlplane.js';
import { startLocalFedmesh } from '../test/harness/fedmesh.js';
import { quantile } from './stats.js';

type Seen = Map<string, number[]>;

function openWatches(
  url: string,
  c: Cluster,
  ca: string,
  n: number,
  seen: Seen,
): { close: () => void; opened: Promise<void> } {
  const agent = new Agent({
    keepAlive: true,
    maxSockets: Infinity,
    ca,
    cert: c.pki.admin.certPem,
    key: c.pki.admin.keyPem,
  });
  const reqs: ReturnType<typeof request>[] = [];
  let ready = 0;
  let resolveOpened!: () => void;
  const opened = new Promise<void>((r) => (resolveOpened = r));
  const open = (): void => {
    const req = request(url, { agent }, (res) => {
      if (++ready === n) resolveOpened();
      let buf = '';
      res.on('data', (d: Buffer) => {
        const now = performance.now();
        buf += d.toString();
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const ev = JSON.parse(buf.slice(0, nl)) as { type: string; object: { metadata: { name: string } } };
          buf = buf.slice(nl + 1);
          if (ev.type !== 'ADDED') continue;
          const name = ev.object.metadata.name.replace(/^fan\./, '');
          seen.set(name, [...(seen.get(name) ?? []), now]);
        }
      });
    });
    req.on('error', (e) => console.error(`watch failed: ${e.message}`));
    req.end();
    reqs.push(req);
  };
  // Open the watches a few at a time: a thousand TLS handshakes at once overflow the listen backlog.
  for (let i = 0; i < n; i++) setTimeout(open, Math.floor(i / 20) * 50);
  return { close: () => reqs.forEach((r) => r.destroy()), opened };
}

function create(c: Cluster, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${c.url}/api/v1/namespaces/fan/pods`,
      {
        method: 'POST',
        ca: c.pki.servingCA.certPem,
        cert: c.pki.admin.certPem,
        key: c.pki.admin.keyPem,
        headers: { 'Content-Type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'x' }] } }));
  });
}

const fmt = (xs: number[]): string =>
  `p50 ${quantile(xs, 0.5).toFixed(1)}  p99 ${quantile(xs, 0.99).toFixed(1)}  max ${Math.max(...xs).toFixed(1)}`;

async function main(): Promise<void> {
  const watchers = Number(process.argv[2] ?? 1000);
  const rounds = Number(process.argv[3] ?? 5);
  const cp = await startControlPlane({ clusters: ['fan'] });
  try {
    const c = cp.cluster('fan');
    const fm = await startLocalFedmesh(c);
    await create(c, 'warmup').catch(() => 0);
    await new Promise<void>((resolve) => {
      const req = request(
        `${c.url}/api/v1/namespaces`,
        {
          method: 'POST',
          ca: c.pki.servingCA.certPem,
          cert: c.pki.admin.certPem,
          key: c.pki.admin.keyPem,
          headers: { 'Content-Type': 'application/json' },
        },
        (res) => res.resume().on('end', resolve),
      );
      req.end(JSON.stringify({ metadata: { name: 'fan' } }));
    });
    const inFedmesh: Seen = new Map();
    const inKube: Seen = new Map();
    const f = openWatches(
      `https://127.0.0.1:${fm.port}/apis/federated.mesh/v1alpha1/namespaces/fan/federatedendpoints?watch=true`,
      c,
      fm.caPem,
      watchers,
      inFedmesh,
    );
    const k = openWatches(
      `${c.url}/api/v1/namespaces/fan/pods?watch=true`,
      c,
      c.pki.servingCA.certPem,
      watchers,
      inKube,
    );
    await Promise.all([f.opened, k.opened]);
    console.log(
      `${watchers} watches open on each server; ${rounds} rounds of one pod creation each (ms from the create request):`,
    );
    for (let r = 0; r < rounds; r++) {
      const name = `p-${r}`;
      const t = performance.now();
      await create(c, name);
      const deadline = Date.now() + 30_000;
      while (
        ((inFedmesh.get(name)?.length ?? 0) < watchers || (inKube.get(name)?.length ?? 0) < watchers) &&
        Date.now() < deadline
      )
        await new Promise((res) => setTimeout(res, 20));
      const lat = (s: Seen) => (s.get(name) ?? []).map((x) => x - t);
      console.log(
        `round ${r + 1}: kube-apiserver pods ${fmt(lat(inKube))} (${lat(inKube).length})   fedmesh fep ${fmt(lat(inFedmesh))} (${lat(inFedmesh).length})`,
      );
    }
    f.close();
    k.close();
    await fm.stop();
  } finally {
    await cp.stop();
  }
}

await main();
