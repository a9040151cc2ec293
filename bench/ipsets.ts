// ipsets.ts: the policy controller of fedmesh-apiserver in-process, at mesh scale: 1,000
// MeshNetworkPolicies over endpoints of three clusters. Figures, each beside a reference in the
// same run:
//   - one pod change in cluster B until the IP-set slice that holds it is updated, beside
//     recomputing that set from scratch (the selector evaluated over every endpoint);
//   - computing every set when the policies arrive, beside evaluating each set's selector;
//   - memory of the policy state (sets, slices, membership) per member, beside per endpoint.
//   npm run bench -- ipsets [ENDPOINTS]   (default 100000)
import type { V1Pod } from '@kubernetes/client-node';
import type { FederatedIPSet, MeshNetworkPolicy } from '../api/index.js';
import { Core } from '../core/index.js';
import { PolicyController } from '../apiserver/controllers/policy/controller.js';
import { jsonLogger } from '../apiserver/log.js';
import { MeshStore } from '../apiserver/mesh/meshstore.js';
import { printTable, quantile, type Row } from './stats.js';

const CLUSTERS = ['a', 'b', 'c'];
const NAMESPACES = 100;
const APPS = 50;
const POLICIES = 1000;

const ip = (c: number, i: number): string => `10.${c * 16 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;

function pod(c: number, i: number, rv: number, app = `app-${i % APPS}`): V1Pod {
  return {
    metadata: {
      name: `p-${i}`,
      namespace: `ns-${Math.floor(i / APPS) % NAMESPACES}`,
      uid: `${c}-${i}`,
      resourceVersion: String(rv),
      labels: { app, tier: `t-${Math.floor(i / 5000) % 5}` },
    },
    spec: { containers: [], nodeName: `node-${i % 50}` },
    status: { podIP: ip(c, i), conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function policy(i: number): MeshNetworkPolicy {
  return {
    apiVersion: 'config.federated.mesh/v1alpha1',
    kind: 'MeshNetworkPolicy',
    metadata: { name: `p-${i}`, namespace: `ns-${i % NAMESPACES}`, generation: 1 },
    spec: {
      selector: `app == 'app-${i % APPS}'`,
      ingress: [
        {
          action: 'Allow',
          protocol: 'TCP',
          source: { selector: `app == 'app-${(i + 1) % APPS}' && tier == 't-${i % 5}'` },
        },
        ...(i % 4 === 0
          ? [
              {
                action: 'Allow' as const,
                source: { selector: 'all()', namespaceSelector: `team == 'x${i % 7}'` },
              },
            ]
          : []),
      ],
    },
  };
}

const heap = (): number => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc (npm run bench does)');
  gc();
  const u = process.memoryUsage();
  if (process.env.FEDMESH_BENCH_MEM)
    console.error(
      `heap ${u.heapUsed >> 20} MB, external ${u.external >> 20} MB, arrayBuffers ${u.arrayBuffers >> 20} MB`,
    );
  return u.heapUsed + u.external + u.arrayBuffers;
};

// changes relabels pods of B one at a time (each leaves one set and joins another) and times the
// store update through the slices, beside recomputing the joined set from scratch.
async function changes(
  core: Core,
  mesh: MeshStore,
  sets: FederatedIPSet[],
  per: number,
): Promise<{ ours: number[]; base: number[] }> {
  const ours: number[] = [];
  const base: number[] = [];
  for (let k = 0; k < 200; k++) {
    const i = (k * 7919) % per;
    const app = `app-${(i + 1 + k) % APPS}`;
    let seen = false;
    const un = mesh.ipSetSlices.subscribe(() => (seen = true));
    const t = performance.now();
    mesh.apply('b', 'pods', [{ upsert: pod(1, i, k + 2, app) }]);
    ours.push(performance.now() - t);
    un();
    if (!seen && k < 5) console.error(`change ${k} touched no slice (the pod's app joined no set)`);
    const target = sets.find((s) => s.spec.selector.includes(`"${app}"`)) ?? sets[0]!;
    const r = performance.now();
    const sel = core.parse(target.spec.selector);
    await mesh.selection.evaluate(sel);
    sel.dispose();
    base.push(performance.now() - r);
  }
  return { ours, base };
}

// fill gives each cluster labelled namespaces and `per` pods.
function fill(mesh: MeshStore, per: number): void {
  CLUSTERS.forEach((c, ci) => {
    mesh.apply(
      c,
      'namespaces',
      Array.from({ length: NAMESPACES }, (_, n) => ({
        upsert: {
          metadata: {
            name: `ns-${n}`,
            uid: `${c}-ns-${n}`,
            resourceVersion: '1',
            labels: { team: `x${n % 7}` },
          },
        },
      })),
    );
    for (let i = 0; i < per; i += 2000)
      mesh.apply(
        c,
        'pods',
        Array.from({ length: Math.min(2000, per - i) }, (_, j) => ({ upsert: pod(ci, i + j, 1) })),
      );
  });
}

async function run(endpoints: number): Promise<Row[]> {
  const core = Core.load();
  const mesh = new MeshStore(core);
  const per = Math.floor(endpoints / CLUSTERS.length);
  const m0 = heap();
  fill(mesh, per);
  const perEndpoint = (heap() - m0) / (per * CLUSTERS.length);
  const ctl = new PolicyController({
    core,
    selection: mesh.selection,
    stores: { sets: mesh.ipSets, slices: mesh.ipSetSlices },
    log: jsonLogger('error'),
  });
  const m1 = heap();
  const t0 = performance.now();
  for (let i = 0; i < POLICIES; i++) ctl.apply(policy(i), 'a');
  const initial = performance.now() - t0;
  const members = [...mesh.ipSets.keysFrom()].reduce(
    (n, k) => n + (mesh.ipSets.get(k)!.obj.status.members ?? 0),
    0,
  );
  const perMember = (heap() - m1) / Math.max(1, members);
  const sets = [...mesh.ipSets.keysFrom()].map((k) => mesh.ipSets.get(k)!.obj);
  const t1 = performance.now();
  for (const s of sets) {
    const sel = core.parse(s.spec.selector);
    await mesh.selection.evaluate(sel);
    sel.dispose();
  }
  const initialRef = performance.now() - t1;

  const { ours, base } = await changes(core, mesh, sets, per);
  ctl.stop().catch(() => undefined);
  const n = per * CLUSTERS.length;
  console.log(
    `${POLICIES} policies, ${sets.length} IP sets, ${members} members over ${n} endpoints; pod change p99 ${quantile(ours, 0.99).toFixed(2)} ms (recompute p99 ${quantile(base, 0.99).toFixed(2)} ms)`,
  );
  return [
    {
      name: `pod change in B -> its IP-set slices updated (${POLICIES} policies, ${n} endpoints)`,
      unit: 'ms',
      ours,
      base,
      baseline: 'recomputing the changed set from scratch',
    },
    {
      name: `all IP sets computed as ${POLICIES} policies arrive`,
      unit: 'ms',
      ours: [initial],
      base: [initialRef],
      baseline: "evaluating every set's selector over all endpoints",
    },
    {
      name: 'memory of the policy state per set member',
      unit: 'bytes',
      ours: [perMember],
      base: [perEndpoint],
      baseline: 'memory per endpoint in the mesh store',
    },
  ];
}

const endpoints = Number(process.argv[2] ?? 100_000);
printTable(await run(endpoints));
