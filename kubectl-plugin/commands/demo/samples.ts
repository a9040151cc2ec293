// samples.ts: the demo's sample workloads: nodes with underlay addresses from documentation and benchmarking ranges
// and a pod CIDR each, namespaces, pods with IPs (as a kubelet would report them), a backing
// Service shop/db where the db pods run, and the federated Service shop/db-global everywhere.
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1Pod,
  type V1Service,
} from '@kubernetes/client-node';
import { MESH_NETWORK_POLICIES } from '../../../api/index.js';
import { statusError } from '../../kube/index.js';
import { asRealPod, createWithServiceAccountRetry, readyNodes, waitPodsReady } from './real.js';

interface App {
  ns: string;
  app: string;
  tier: string;
  replicas: number;
}

/** Sample is the workload set of one cluster. */
export interface Sample {
  underlay: string;
  podNet: string;
  apps: App[];
}

const PROFILES: App[][] = [
  [
    { ns: 'shop', app: 'frontend', tier: 'web', replicas: 3 },
    { ns: 'shop', app: 'cart', tier: 'api', replicas: 2 },
  ],
  [
    { ns: 'shop', app: 'db', tier: 'data', replicas: 2 },
    { ns: 'payments', app: 'ledger', tier: 'api', replicas: 2 },
  ],
];
const UNDERLAYS = ['198.51.100', '203.0.113', '198.19.250'];

/** sampleFor is the sample set of the index-th cluster: its own pod network 10.<10(i+1)>.0.0/16. */
export function sampleFor(index: number): Sample {
  return {
    underlay: UNDERLAYS[index] ?? `100.64.${index}`,
    podNet: `10.${10 * (index + 1)}`,
    apps: PROFILES[index % PROFILES.length]!,
  };
}

/** FEDERATED_SELECTOR picks the backing Services of shop/db-global. */
export const FEDERATED_SELECTOR = "app == 'db'";
const PORT = { name: 'http', port: 8080 };

const exists = (e: unknown): boolean => (e as { code?: number }).code === 409;

async function create<T>(what: string, fn: () => Promise<T>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!exists(err)) throw statusError(err, `creating ${what}`);
  }
}

/** RealPods run the samples as real pods from image on the cluster's Ready nodes. */
export interface RealPods {
  image: string;
  timeoutMs: number;
  say: (line: string) => void;
}

/** createSamples creates the sample objects of the index-th cluster (existing ones are kept); returns the pod count. */
export async function createSamples(
  kc: KubeConfig,
  cluster: string,
  index: number,
  real?: RealPods,
): Promise<number> {
  const api = kc.makeApiClient(CoreV1Api);
  const s = sampleFor(index);
  const nodes = real ? await readyNodes(api, cluster) : [1, 2].map((i) => `${cluster}-node-${i}`);
  if (!real) for (const i of [1, 2]) await createNode(api, cluster, s, i);
  for (const ns of new Set(s.apps.map((a) => a.ns)))
    await create(`namespace/${ns}`, () =>
      api.createNamespace({ body: { metadata: { name: ns, labels: { team: 'shop' } } } }),
    );
  const pods = podsOf(s, nodes);
  if (real) {
    const live = pods.map((p) => asRealPod(p.pod, real.image, PORT.port));
    for (const p of live) await createWithServiceAccountRetry(api, p);
    await waitPodsReady(api, live, real.timeoutMs, real.say);
  } else for (const p of pods) await createPod(api, p.pod, p.ip);
  for (const svc of servicesOf(s)) {
    const ns = svc.metadata!.namespace!;
    await create(`service/${svc.metadata!.name} -n ${ns}`, () =>
      api.createNamespacedService({ namespace: ns, body: svc }),
    );
  }
  if (s.apps.some((a) => a.app === 'db')) await createDbSamples(kc);
  return pods.length;
}

/** DB_POLICY is the sample MeshNetworkPolicy where the db pods run: only frontends reach them. */
export const DB_POLICY = 'db-from-frontends';

// createDbSamples adds, where the db pods run, the policy that lets the frontends of every cluster
// reach them (and nothing else), and a ServiceExport of shop/db for the Multi-Cluster Services API.
async function createDbSamples(kc: KubeConfig): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const policy = {
    apiVersion: `${MESH_NETWORK_POLICIES.group}/${MESH_NETWORK_POLICIES.version}`,
    kind: MESH_NETWORK_POLICIES.kind,
    metadata: { name: DB_POLICY, namespace: 'shop' },
    spec: {
      selector: FEDERATED_SELECTOR,
      ingress: [
        {
          action: 'Allow',
          protocol: 'TCP',
          source: { selector: "app == 'frontend'" },
          destination: { ports: [PORT.port] },
        },
      ],
    },
  };
  const gvr = (g: string, v: string, plural: string) => ({ group: g, version: v, plural, namespace: 'shop' });
  await create(`meshnetworkpolicy/${DB_POLICY} -n shop`, () =>
    custom.createNamespacedCustomObject({
      ...gvr(MESH_NETWORK_POLICIES.group, MESH_NETWORK_POLICIES.version, MESH_NETWORK_POLICIES.plural),
      body: policy,
    }),
  );
  const exp = {
    apiVersion: 'multicluster.x-k8s.io/v1alpha1',
    kind: 'ServiceExport',
    metadata: { name: 'db', namespace: 'shop' },
  };
  await create('serviceexport/db -n shop', () =>
    custom.createNamespacedCustomObject({
      ...gvr('multicluster.x-k8s.io', 'v1alpha1', 'serviceexports'),
      body: exp,
    }),
  );
}

async function createNode(api: CoreV1Api, cluster: string, s: Sample, i: number): Promise<void> {
  const name = `${cluster}-node-${i}`;
  const podCIDR = `${s.podNet}.${i}.0/24`;
  const labels = { 'topology.kubernetes.io/zone': `${cluster}-z${i}` };
  await create(`node/${name}`, () =>
    api.createNode({ body: { metadata: { name, labels }, spec: { podCIDR, podCIDRs: [podCIDR] } } }),
  );
  const node = await api.readNode({ name });
  node.status = {
    addresses: [
      { type: 'InternalIP', address: `${s.underlay}.${10 + i}` },
      { type: 'Hostname', address: name },
    ],
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'sample node' }],
  };
  await api.replaceNodeStatus({ name, body: node });
}

// podsOf spreads the sample pods over nodes; ip is what an API-only sample pod reports.
function podsOf(s: Sample, nodes: string[]): { pod: V1Pod; ip: string }[] {
  let n = 0;
  return s.apps.flatMap((a) =>
    Array.from({ length: a.replicas }, (_, i) => {
      const node = (n++ % nodes.length) + 1;
      const pod: V1Pod = {
        metadata: { name: `${a.app}-${i}`, namespace: a.ns, labels: { app: a.app, tier: a.tier } },
        spec: {
          nodeName: nodes[node - 1],
          containers: [
            {
              name: 'app',
              image: 'registry.example/app:1',
              ports: [{ name: PORT.name, containerPort: PORT.port }],
            },
          ],
        },
      };
      return { pod, ip: `${s.podNet}.${node}.${10 + n}` };
    }),
  );
}

async function createPod(api: CoreV1Api, pod: V1Pod, ip: string): Promise<void> {
  const { name, namespace } = pod.metadata as { name: string; namespace: string };
  await create(`pod/${name} -n ${namespace}`, () => api.createNamespacedPod({ namespace, body: pod }));
  const live = await api.readNamespacedPod({ name, namespace });
  live.status = {
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    conditions: [{ type: 'Ready', status: 'True' }],
  };
  await api.replaceNamespacedPodStatus({ name, namespace, body: live });
}

// servicesOf: shop/db where db pods run, and the federated shop/db-global (no spec.selector) everywhere.
function servicesOf(s: Sample): V1Service[] {
  const port = { name: PORT.name, port: PORT.port, protocol: 'TCP', targetPort: PORT.name };
  const global: V1Service = {
    metadata: {
      name: 'db-global',
      namespace: 'shop',
      annotations: { 'federated.mesh/service-selector': FEDERATED_SELECTOR },
    },
    spec: { ports: [port] },
  };
  if (!s.apps.some((a) => a.app === 'db')) return [global];
  const db: V1Service = {
    metadata: { name: 'db', namespace: 'shop', labels: { app: 'db' } },
    spec: { selector: { app: 'db' }, ports: [port] },
  };
  return [db, global];
}
