// fedservices.ts: federated services in-process: time from an EndpointSlice change of cluster B
// arriving in the mesh store until the federated Service's recomputed state is published (slices
// planned, diffed, FederatedService updated), beside the time a pod change of B takes to become a
// FederatedEndpoint event in the same run; and memory per endpoint kept in compact slices beside
// memory per FederatedEndpoint. The writes themselves go through the token bucket
// (--endpointslice-writes-per-second) and are not part of these figures.
//   npm run bench -- fedservices [SERVICES...]   (default 100 1000; 50 endpoints per backing Service and cluster)
import { KubeConfig, type V1EndpointSlice, type V1Pod, type V1Service } from '@kubernetes/client-node';
import { Core } from '../core/index.js';
import { FedServicesController } from '../apiserver/controllers/fedservices/controller.js';
import { jsonLogger } from '../apiserver/log.js';
import { MeshStore } from '../apiserver/mesh/meshstore.js';
import { printTable, type Row } from './stats.js';

const PER = 50;
const ip = (c: number, i: number): string => `10.${c}.${(i >> 8) & 255}.${i & 255}`;

const service = (name: string, labels: Record<string, string>, federated: boolean): V1Service => ({
  metadata: {
    name,
    namespace: 'shop',
    uid: `u-${name}`,
    labels,
    annotations: federated ? { 'federated.mesh/service-selector': `app == '${labels.target}'` } : {},
  },
  spec: {
    selector: federated ? undefined : { app: name },
    ports: [{ name: 'tcp', port: 80, protocol: 'TCP' }],
  },
});

function slice(s: number, c: number, base: number, ready: boolean): V1EndpointSlice {
  return {
    metadata: {
      name: `svc-${s}-x`,
      namespace: 'shop',
      labels: { 'kubernetes.io/service-name': `svc-${s}`, 'endpointslice.kubernetes.io/managed-by': 'kcm' },
    },
    addressType: 'IPv4',
    ports: [{ name: 'tcp', port: 8080, protocol: 'TCP' }],
    endpoints: Array.from({ length: PER }, (_, i) => ({
      addresses: [ip(c, base + i)],
      conditions: { ready: ready || i > 0, serving: true, terminating: false },
      nodeName: `node-${i % 10}`,
      zone: 'zone-a',
      targetRef: { kind: 'Pod', namespace: 'shop', name: `svc-${s}-${i}` },
    })),
  };
}

const pod = (i: number, rv: number): V1Pod => ({
  metadata: {
    name: `p-${i}`,
    namespace: 'shop',
    uid: `p-${i}`,
    resourceVersion: String(rv),
    labels: { app: 'x', rv: String(rv) },
  },
  spec: { containers: [], nodeName: 'node-1' },
  status: { podIP: ip(99, i), conditions: [{ type: 'Ready', status: 'True' }] },
});

// unusedKubeConfig points nowhere: the controller is not leader, so it never writes.
function unusedKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'x', server: 'https://127.0.0.1:1' }],
    users: [{ name: 'x' }],
    contexts: [{ name: 'x', cluster: 'x', user: 'x' }],
    currentContext: 'x',
  });
  return kc;
}

async function propagation(services: number): Promise<Row[]> {
  const mesh = new MeshStore(Core.load());
  const kc = unusedKubeConfig();
  const ctl = new FedServicesController({
    mesh,
    core: Core.load(),
    kubeConfig: kc,
    log: jsonLogger('error'),
    isLeader: () => false,
  });
  for (const c of ['a', 'b', 'c']) mesh.sweep(c, mesh.newEpoch(c));
  ctl.start('a', Promise.resolve());
  mesh.apply(
    'a',
    'services',
    Array.from({ length: services }, (_, s) => ({ upsert: service(`g-${s}`, { target: `svc-${s}` }, true) })),
  );
  for (const [ci, c] of ['b', 'c'].entries()) {
    mesh.apply(
      c,
      'services',
      Array.from({ length: services }, (_, s) => ({
        upsert: service(`svc-${s}`, { app: `svc-${s}` }, false),
      })),
    );
    mesh.apply(
      c,
      'endpointslices',
      Array.from({ length: services }, (_, s) => ({ upsert: slice(s, ci + 1, s * PER, true) })),
    );
  }
  await waitUntil(
    () => mesh.federatedServices.get(`shop/g-${services - 1}`)?.obj.status.endpoints === 2 * PER,
  );
  const ours: number[] = [];
  const base: number[] = [];
  for (let k = 0; k < 30; k++) {
    const s = (k * 7919) % services;
    const t0 = performance.now();
    const done = new Promise<void>((resolve) => {
      const un = mesh.federatedServices.subscribe((evs) => {
        if (evs.some((e) => e.entry.key === `shop/g-${s}`)) {
          un();
          resolve();
        }
      });
    });
    // Each sample changes another Service (s is distinct for k < 30): its first endpoint turns unready.
    mesh.apply('b', 'endpointslices', [{ upsert: slice(s, 1, s * PER, false) }]);
    await done;
    ours.push(performance.now() - t0);
    const t1 = performance.now();
    mesh.apply('b', 'pods', [{ upsert: pod(k, k + 1) }]);
    base.push(performance.now() - t1);
  }
  ctl.stop();
  return [
    {
      name: `slice change in B -> federated Service recomputed (${services} fsvc, ${services * 2 * PER} endpoints)`,
      unit: 'ms',
      ours,
      base,
      baseline: 'pod change in B -> FederatedEndpoint event, same store',
    },
  ];
}

function waitUntil(ok: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    const t = setInterval(() => ok() && (clearInterval(t), resolve()), 5);
  });
}

function memory(endpoints: number): Row {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc (npm run bench does)');
  const used = (): number => {
    gc();
    const u = process.memoryUsage();
    return u.heapUsed + u.external + u.arrayBuffers;
  };
  const m = new MeshStore(Core.load());
  let before = used();
  for (let s = 0; s < endpoints / PER; s++)
    m.apply('b', 'endpointslices', [{ upsert: slice(s, 1, s * PER, true) }]);
  const perSlice = (used() - before) / endpoints;
  before = used();
  for (let i = 0; i < endpoints; i += 1000)
    m.apply(
      'b',
      'pods',
      Array.from({ length: 1000 }, (_, j) => ({ upsert: pod(i + j, 1) })),
    );
  const perPod = (used() - before) / endpoints;
  return {
    name: `memory per endpoint at ${endpoints} (compact EndpointSlice endpoint)`,
    unit: 'bytes',
    ours: [perSlice],
    base: [perPod],
    baseline: 'per FederatedEndpoint (pod) in the same store',
  };
}

const sizes = process.argv.slice(2).map(Number);
const rows: Row[] = [memory(100_000)];
for (const n of sizes.length ? sizes : [100, 1000]) rows.push(...(await propagation(n)));
printTable(rows);
