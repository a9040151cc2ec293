// nodes.ts: the cost of real test nodes: bring-up of 2 clusters x 2 nodes, kubelet start -> Node
// Ready, pod created -> Running with an IP (p50/p99 over 50 pods, beside the same container
// started by containerd alone with `ctr run`, no kubelet, CNI or API), idle RSS of kubelet,
// containerd and kube-proxy per node, and the total RSS of `npm run demo`. Needs root.
//   npm run bench -- nodes [--pods N] [--no-demo]
import { request } from 'node:https';
import type { Cluster } from '../test/harness/cluster.js';
import { startControlPlane } from '../test/harness/controlplane.js';
import { podObject } from '../test/harness/nodes/pods.js';
import { nodesUnavailable } from '../test/harness/nodes/prerequisites.js';
import { demoRss } from './nodes-demo.js';
import { quantile } from './stats.js';
import { rssMiB, watchPods } from './nodes-watch.js';

const args = process.argv.slice(2);
const PODS = Number(args[args.indexOf('--pods') + 1] ?? 50) || 50;
const WAVE = 10;

const why = nodesUnavailable();
if (why) {
  console.error(`bench nodes: ${why}`);
  process.exit(1);
}

/** post sends one object to the API as the admin. */
function post(c: Cluster, path: string, body: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${c.url}${path}`,
      { method: 'POST', ca: c.pki.servingCA.certPem, cert: c.pki.admin.certPem, key: c.pki.admin.keyPem },
      (res) => {
        res.resume();
        res.on('end', () =>
          (res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`POST ${path}: ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.setHeader('content-type', 'application/json');
    req.end(JSON.stringify(body));
  });
}

const fmt = (xs: number[]): string =>
  `p50 ${quantile(xs, 0.5).toFixed(0)} ms, p99 ${quantile(xs, 0.99).toFixed(0)} ms (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)}, n=${xs.length})`;

const t0 = Date.now();
const cp = await startControlPlane({ clusters: ['cluster-a', 'cluster-b'], nodes: { perCluster: 2 } });
try {
  const nodes = cp.nodes!;
  console.log(
    `2 clusters x 2 real nodes ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (etcd, apiservers, controller-managers, nodes)`,
  );
  console.log(
    `kubelet start -> Node Ready: ${nodes.nodes.map((n) => `${n.name} ${(n.readyMs / 1000).toFixed(1)} s`).join(', ')}`,
  );

  const c = cp.cluster('cluster-a');
  const a = nodes.nodesOf('cluster-a');
  const watch = watchPods(c, 'default');
  const created = new Map<string, number>();
  const create = async (name: string, i: number): Promise<void> => {
    const pod = podObject(
      { name, node: a[i % a.length]!.name, command: ['sleep', '3600'] },
      nodes.images.workload.ref,
    );
    created.set(name, Date.now());
    await post(c, '/api/v1/namespaces/default/pods', pod);
  };
  const latency = (names: string[]): number[] => names.map((n) => watch.runningAt.get(n)! - created.get(n)!);
  // One at a time: the latency of a single pod start.
  const single = Array.from({ length: PODS }, (_, i) => `single-${i}`);
  for (const [i, name] of single.entries()) {
    await create(name, i);
    await watch.until([name]);
  }
  console.log(`pod created -> Running with IP, one at a time over 2 nodes: ${fmt(latency(single))}`);
  // A burst: WAVE pods created at once.
  const burst = Array.from({ length: WAVE }, (_, i) => `burst-${i}`);
  await Promise.all(burst.map(create));
  await watch.until(burst);
  watch.close();
  console.log(`pod created -> Running with IP, ${WAVE} created at once over 2 nodes: ${fmt(latency(burst))}`);

  // Reference: the same image started by the node's containerd alone, one at a time.
  const node = a[0]!;
  const ctrMs: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = Date.now();
    await node.ctr([
      'run',
      '--rm',
      `--fifo-dir=${node.files.dir}/ctr-fifo`,
      `--runc-root=${node.files.dir}/runc`,
      '--cgroup',
      `${node.plan.cgroup}/ctr-bench-${i}`,
      nodes.images.workload.ref,
      `ctr-bench-${i}`,
      'true',
    ]);
    ctrMs.push(Date.now() - t);
  }
  console.log(`reference, ctr run --rm (containerd + runc, no kubelet/CNI/API): ${fmt(ctrMs)}`);

  await new Promise((r) => setTimeout(r, 10_000));
  console.log('idle RSS (10 s after the pods ran):');
  for (const n of nodes.nodes) {
    const [cd, kl, kp] = [n.containerd!, n.kubelet!, n.kubeProxy!].map((p) =>
      rssMiB(p.child.pid!).toFixed(0),
    );
    console.log(`  ${n.name}: kubelet ${kl} MiB, containerd ${cd} MiB, kube-proxy ${kp} MiB`);
  }
} finally {
  await cp.stop();
}

if (!args.includes('--no-demo')) {
  const r = await demoRss();
  console.log(
    `npm run demo (2 clusters x 2 nodes, sample pods): total RSS ${r.totalMiB.toFixed(0)} MiB over ${r.processes} processes`,
  );
}
