// fsvcreal.ts: federated services against real control planes. Three clusters (kube-apiserver and
// kube-controller-manager with its EndpointSlice controller; nodes and pods are API objects, pods
// with a Ready status as a kubelet would leave them); SERVICES backing Services in B and C, each
// with PODS pods per cluster; fedmesh-apiserver in-process for A, connected to B and C, and one
// federated Service in A per backing pair. Measured in the same run:
//   1. a pod of B turning not-ready until A's federated slice shows it (watch on A), beside the same
//      change to a local Service of A until kube-controller-manager's slice in A shows it, and beside
//      B's own slice (kube-controller-manager of B, the first hop of the federated path);
//   2. EndpointSlice writes per second to A while fedmesh writes the initial slices, beside
//      --endpointslice-writes-per-second.
//   npm run bench -- fsvcreal [SERVICES] [PODS] [direct]   (default 1000 5: 10,000 backing endpoints)
// With `direct`, only the sampled backing Services of B have pods; every other backing Service is
// selectorless with its endpoints written as one EndpointSlice (fsvcreal-populate.ts), which makes
// the 100,000-endpoint scale (1000 50 direct) practical where creating pods would dominate the run.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { Cluster } from '../test/harness/cluster.js';
import { connect } from '../test/harness/connect.js';
import { startControlPlane } from '../test/harness/controlplane.js';
import { startLocalFedmesh, type LocalFedmesh } from '../test/harness/fedmesh.js';
import { waitFor } from '../test/harness/wait.js';
import { NS, federatedService } from '../test/e2e/fedservices-helpers.js';
import { applyMany, ip, podName, populate, type Workload } from './fsvcreal-populate.js';
import { printTable, quantile, type Row } from './stats.js';
import { perSecond, watchSlices, type SliceWatch } from './fsvcreal-watch.js';

const SERVICES = Number(process.argv[2] ?? 1000);
const PODS = Number(process.argv[3] ?? 5);
const DIRECT = process.argv[4] === 'direct';
const SAMPLES = 40;
const LIMIT = 20; // fedmesh-apiserver's default --endpointslice-writes-per-second
const KCM = 'endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io';
const FED = 'endpointslice.kubernetes.io/managed-by=federated.mesh';

if (
  !(SERVICES >= SAMPLES && PODS >= 1 && PODS <= 100 && SERVICES * PODS <= 65_000) ||
  !['direct', undefined].includes(process.argv[4])
)
  throw new Error(`usage: fsvcreal [SERVICES >= ${SAMPLES}] [PODS 1..100] [direct], SERVICES*PODS <= 65000`);

/** sampled is the index of the k-th sampled backing Service (distinct for k < SAMPLES: 7919 is prime). */
const sampled = (k: number): number => (k * 7919) % SERVICES;
const sampledSet = new Set(Array.from({ length: SAMPLES }, (_, k) => sampled(k)));

const elapsed = (t: number): string => `${((performance.now() - t) / 1000).toFixed(1)} s`;

/** setReady sets a pod's Ready condition and returns when the write was sent. */
async function setReady(c: Cluster, name: string, ready: boolean): Promise<number> {
  const kc = new KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const pod = await core.readNamespacedPodStatus({ name, namespace: NS });
  pod.status!.conditions = [{ type: 'Ready', status: ready ? 'True' : 'False' }];
  const t0 = performance.now();
  await core.replaceNamespacedPodStatus({ name, namespace: NS, body: pod });
  return t0;
}

interface Watches {
  fedA: SliceWatch;
  kcmA: SliceWatch;
  kcmB: SliceWatch;
}

/** initialWrites creates the federated Services in A and returns the times of fedmesh's slice writes until every slice is complete. */
async function initialWrites(a: Cluster, w: Watches, backing: string[]): Promise<number[]> {
  const t = performance.now();
  await applyMany(
    a.kubeconfig,
    backing.map((svc) => federatedService(`g-${svc}`, undefined, `app == '${svc}'`)),
  );
  console.log(`federated Services created in A in ${elapsed(t)}`);
  const complete = (): boolean =>
    [...w.fedA.names.values()].filter((s) => (s.endpoints ?? []).length === PODS).length ===
    2 * backing.length;
  await waitFor('fedmesh writes every federated slice in A', async () => complete(), {
    timeoutMs: 120_000 + ((2 * backing.length) / LIMIT) * 3000,
    intervalMs: 250,
  });
  console.log(`federated slices complete in A ${elapsed(t)} after the first create`);
  await new Promise((r) => setTimeout(r, 5000));
  return [...w.fedA.times];
}

/** samples flips a pod of B and a pod of A to not-ready, one at a time, and times each path. */
async function samples(cp: { cluster(n: string): Cluster }, w: Watches, backing: string[]) {
  const [a, b] = [cp.cluster('a'), cp.cluster('b')];
  const fed: number[] = [];
  const inB: number[] = [];
  const local: number[] = [];
  for (let k = 0; k < SAMPLES; k++) {
    const s = sampled(k);
    const svc = backing[s]!;
    const addr = ip('b', s * PODS);
    const seenA = w.fedA.until(`g-${svc}`, addr, false);
    const seenB = w.kcmB.until(svc, addr, false);
    const t0 = await setReady(b, podName(svc, 'b', 0), false);
    const [ta, tb] = await Promise.all([seenA, seenB]);
    fed.push(ta - t0);
    inB.push(tb - t0);
    const lsvc = `local-${k}`;
    const seenL = w.kcmA.until(lsvc, ip('a', k * PODS), false);
    const t1 = await setReady(a, podName(lsvc, 'a', 0), false);
    local.push((await seenL) - t1);
  }
  return { fed, inB, local };
}

const cp = await startControlPlane({
  clusters: ['a', 'b', 'c'],
  controllerManager: true,
  extraControllers: ['endpointslice-controller'],
  // The harness's /24 holds 254 ClusterIPs; A and B each need SERVICES of them.
  apiserverArgs: ['--service-cluster-ip-range=10.96.0.0/16'],
});
let fm: LocalFedmesh | undefined;
const open: SliceWatch[] = [];
const cleanup = async (): Promise<void> => {
  for (const x of open) x.stop();
  await fm?.stop();
  await cp.stop();
};
// A crash outside the awaited chain (an 'error' event) still stops the clusters and removes their folder.
process.once('uncaughtException', (err) => {
  console.error(err);
  void cleanup().finally(() => process.exit(1));
});
try {
  const [a, b, c] = [cp.cluster('a'), cp.cluster('b'), cp.cluster('c')];
  const backing = Array.from({ length: SERVICES }, (_, s) => `svc-${s}`);
  const locals = Array.from({ length: SAMPLES }, (_, k) => `local-${k}`);
  console.log(
    `scale: ${SERVICES} federated Services in A over ${SERVICES} backing Services in each of B and C, ` +
      `${PODS} endpoints each: ${2 * SERVICES * PODS} backing endpoints` +
      (DIRECT
        ? ` (pods for the ${SAMPLES} sampled Services of B, direct EndpointSlices for the rest)`
        : ' (pods)') +
      `; ${SAMPLES} local Services in A; ${SAMPLES} samples`,
  );
  let t = performance.now();
  const work = (services: string[], labelled: boolean, withPods: (s: number) => boolean): Workload => ({
    services,
    pods: PODS,
    labelled,
    withPods,
  });
  await Promise.all([
    populate(
      a,
      work(locals, false, () => true),
    ),
    populate(
      b,
      work(backing, true, (s) => !DIRECT || sampledSet.has(s)),
    ),
    populate(
      c,
      work(backing, true, () => !DIRECT),
    ),
  ]);
  console.log(`pods, Services and kube-controller-manager slices in A, B, C in ${elapsed(t)}`);
  t = performance.now();
  fm = await startLocalFedmesh(a);
  await connect(a, b);
  await connect(a, c);
  console.log(`fedmesh-apiserver for A started and connected to B and C in ${elapsed(t)}`);
  const w: Watches = { fedA: watchSlices(a, FED), kcmA: watchSlices(a, KCM), kcmB: watchSlices(b, KCM) };
  open.push(w.fedA, w.kcmA, w.kcmB);
  await Promise.all(open.map((x) => x.opened));
  const writes = await initialWrites(a, w, backing);
  const { fed, inB, local } = await samples(cp, w, backing);
  const rates = perSecond(writes);
  const span = (writes[writes.length - 1]! - writes[0]!) / 1000;
  console.log(
    `fedmesh wrote ${writes.length} EndpointSlice changes to A in ${span.toFixed(1)} s: ` +
      `${(writes.length / span).toFixed(1)}/s overall (limit ${LIMIT}/s, burst 50)`,
  );
  for (const [what, xs] of [
    ['pod in B not-ready -> federated slice in A', fed],
    ["pod in B not-ready -> B's own slice (kcm B)", inB],
    ['pod in A not-ready -> local slice in A (kcm A)', local],
  ] as const)
    console.log(
      `${what.padEnd(48)} n=${xs.length}  p50 ${quantile(xs, 0.5).toFixed(1)} ms  p99 ${quantile(xs, 0.99).toFixed(1)} ms`,
    );
  const rows: Row[] = [
    {
      name: `pod change in B -> A's federated slice (${SERVICES} fsvc, ${2 * SERVICES * PODS} endpoints)`,
      unit: 'ms',
      ours: fed,
      base: local,
      baseline: "pod change in A -> A's slice by kube-controller-manager (local Service)",
    },
    {
      name: "pod change in B -> A's federated slice",
      unit: 'ms',
      ours: fed,
      base: inB,
      baseline: "pod change in B -> B's own slice by kube-controller-manager",
    },
    {
      name: `slice writes/s to A during the initial ${2 * SERVICES} slices (per second)`,
      unit: 'writes/s',
      ours: rates,
      base: [LIMIT],
      baseline: '--endpointslice-writes-per-second (configured limit)',
      higher: true,
    },
  ];
  printTable(rows);
} finally {
  await cleanup();
}
