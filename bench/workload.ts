// workload.ts: a realistic mesh for the core benchmarks: endpoints spread over clusters and
// namespaces (parents with pcns.* labels), skewed app popularity, tiers and versions, and a
// policy-like mix of selectors.
import type { V1Pod } from '@kubernetes/client-node';
import type { EndpointUpdate, ParentUpdate } from '../core/index.js';
import type { Rng } from '../test/support/selectorgen.js';

const CLUSTERS = 5;
const NAMESPACES = 200;
const APPS = 2000;
const TIERS = ['frontend', 'api', 'db', 'cache'];

/** skewed returns an index in [0, n) biased to small values (a few popular apps, a long tail). */
function skewed(rng: Rng, n: number): number {
  return Math.floor(n * rng.next() ** 3);
}

/** parents returns the namespace parents (one per cluster and namespace). */
export function parents(): ParentUpdate[] {
  const out: ParentUpdate[] = [];
  for (let c = 0; c < CLUSTERS; c++) {
    for (let n = 0; n < NAMESPACES; n++) {
      out.push({
        id: `c${c}/ns${n}`,
        labels: { 'pcns.projectcalico.org/name': `ns${n}`, 'pcns.team': `team${n % 40}` },
      });
    }
  }
  return out;
}

/** endpoint returns endpoint i (deterministic for a given rng state). */
export function endpoint(rng: Rng, i: number): EndpointUpdate {
  const c = i % CLUSTERS;
  const ns = skewed(rng, NAMESPACES);
  const ip = (10 << 24) | (c << 20) | ((i >>> 0) % (1 << 20));
  return {
    id: `c${c}/ep${i}`,
    labels: {
      app: `app${skewed(rng, APPS)}`,
      tier: rng.pick(TIERS),
      version: `v${1 + rng.int(5)}`,
      'federated.mesh/cluster': `c${c}`,
      'projectcalico.org/namespace': `ns${ns}`,
    },
    parents: [`c${c}/ns${ns}`],
    ips: [v4(ip)],
  };
}

/** v4 formats a 32-bit address. */
export function v4(a: number): string {
  return [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
}

/** selectors returns n policy-like selectors. */
export function selectors(rng: Rng, n: number): string[] {
  return Array.from({ length: n }, (_, i) => {
    const app = `app${skewed(rng, APPS)}`;
    switch (i % 10) {
      case 0:
      case 1:
      case 2:
        return `app == "${app}"`;
      case 3:
        return `app == "${app}" && tier == "${rng.pick(TIERS)}"`;
      case 4:
        return `app in {"${app}", "app${rng.int(APPS)}"} && version != "v1"`;
      case 5:
        return `pcns.team == "team${rng.int(40)}" && tier in {"api", "db"}`;
      case 6:
        return `federated.mesh/cluster == "c${rng.int(CLUSTERS)}" && app == "${app}"`;
      case 7:
        return `projectcalico.org/namespace == "ns${rng.int(NAMESPACES)}"`;
      case 8:
        return `app starts with "${app}" && has(version)`;
      default:
        // 1% need a full scan (no label restriction), as policies with only != or not in do.
        return i % 100 === 9
          ? `tier != "db" && version not in {"v1", "v2"}`
          : `app == "${app}" && !has(quarantine)`;
    }
  });
}

/** syntheticPod is pod i of the API benchmarks (federation, crd): 50 namespaces, 500 nodes, 40
 * service accounts, one IPv4 address each; version > 0 makes a later version of it (a changed
 * label and resourceVersion), as a watch would deliver. */
export function syntheticPod(i: number, version = 0): V1Pod {
  const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const labels: Record<string, string> = {
    app: `app-${i % 200}`,
    tier: ['web', 'api', 'data'][i % 3]!,
    version: `v${i % 5}`,
    'pod-template-hash': (i % 9973).toString(16),
  };
  if (version > 0) labels.change = String(version);
  return {
    metadata: {
      name: `pod-${i}`,
      namespace: `ns-${i % 50}`,
      uid: `uid-${i}`,
      resourceVersion: String(i + 1 + version),
      creationTimestamp: new Date(1_700_000_000_000),
      labels,
    },
    spec: {
      nodeName: `node-${i % 500}`,
      serviceAccountName: `sa-${i % 40}`,
      containers: [{ name: 'app', image: 'x', ports: [{ name: 'http', containerPort: 8080 }] }],
    },
    status: {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [{ type: 'Ready', status: 'True' }],
    },
  };
}
