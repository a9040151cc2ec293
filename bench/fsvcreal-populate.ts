// fsvcreal-populate.ts: the backing workload of the fsvcreal benchmark. Each backing Service has
// PODS endpoints per cluster, either from pods (API objects with a Ready status, as a kubelet would
// leave them) through kube-controller-manager's EndpointSlice controller, or, for scale, written
// directly as one EndpointSlice of a selectorless Service (what fedmesh reads is the same: Services
// and EndpointSlices). The Services a benchmark samples always have pods, so a sample is a pod
// change travelling through kube-controller-manager, whichever way the rest was made.
import type { Cluster } from '../test/harness/cluster.js';
import { applyObjects } from '../test/harness/fedmesh.js';
import { waitFor } from '../test/harness/wait.js';
import { createNodes, createPods, ensureNamespaces, type PodSpec } from '../test/e2e/fixtures.js';
import { NS, backingService } from '../test/e2e/fedservices-helpers.js';

export const CLUSTER_INDEX: Record<string, number> = { a: 3, b: 1, c: 2 };
const KCM = 'endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io';
const DIRECT = 'bench.fedmesh.io';

/** ip is the address of endpoint i of a cluster (65,536 per cluster). */
export const ip = (cluster: string, i: number): string =>
  `10.${CLUSTER_INDEX[cluster]}.${(i >> 8) & 255}.${i & 255}`;
/** podName is pod k of a Service in a cluster. */
export const podName = (svc: string, cluster: string, k: number): string => `${svc}-${cluster}-${k}`;

/** Workload says what a cluster runs: services[s] has pods (withPods) or direct slices. */
export interface Workload {
  services: string[];
  pods: number;
  /** labelled backing Services carry app=<service> (federated Services select them). */
  labelled: boolean;
  withPods: (index: number) => boolean;
}

/** applyMany applies objects in chunks of 100, 4 kubectl runs at a time (one run each would outlast kubectl's timeout at 1,000). */
export async function applyMany(kubeconfig: string, objects: object[]): Promise<void> {
  const chunks = Array.from({ length: Math.ceil(objects.length / 100) }, (_, i) =>
    objects.slice(i * 100, i * 100 + 100),
  );
  const worker = async (): Promise<void> => {
    for (let c = chunks.shift(); c; c = chunks.shift()) await applyObjects(kubeconfig, c);
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

function pods(cluster: string, svc: string, s: number, n: number): PodSpec[] {
  return Array.from({ length: n }, (_, k) => ({
    ns: NS,
    name: podName(svc, cluster, k),
    labels: { app: svc },
    ip: ip(cluster, s * n + k),
    node: `${cluster}-node-1`,
    port: { name: 'tcp', port: 8080 },
  }));
}

// directSlice is the one EndpointSlice of a selectorless backing Service: n ready endpoints.
function directSlice(cluster: string, svc: string, s: number, n: number): object {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${svc}-direct`,
      namespace: NS,
      labels: { 'kubernetes.io/service-name': svc, 'endpointslice.kubernetes.io/managed-by': DIRECT },
    },
    addressType: 'IPv4',
    ports: [{ name: 'tcp', port: 8080, protocol: 'TCP' }],
    endpoints: Array.from({ length: n }, (_, k) => ({
      addresses: [ip(cluster, s * n + k)],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: `${cluster}-node-1`,
    })),
  };
}

/** populate gives a cluster its node, pods, Services and direct slices, and waits for kube-controller-manager's slices. */
export async function populate(c: Cluster, w: Workload): Promise<void> {
  const i = CLUSTER_INDEX[c.name]!;
  await ensureNamespaces(c.kubeconfig, [NS]);
  await createNodes(c.kubeconfig, [
    { name: `${c.name}-node-1`, internalIP: `192.168.${i}.1`, podCIDR: `10.${i}.0.0/16` },
  ]);
  const podded = w.services.filter((_, s) => w.withPods(s));
  await createPods(
    c.kubeconfig,
    w.services.flatMap((svc, s) => (w.withPods(s) ? pods(c.name, svc, s, w.pods) : [])),
  );
  await applyMany(
    c.kubeconfig,
    w.services.flatMap((svc, s) => {
      const labels: Record<string, string> = w.labelled ? { app: svc } : {};
      if (w.withPods(s)) return [backingService(svc, labels, 'TCP', { app: svc })];
      const selectorless = backingService(svc, labels, 'TCP') as { spec: { selector?: unknown } };
      delete selectorless.spec.selector;
      return [selectorless, directSlice(c.name, svc, s, w.pods)];
    }),
  );
  await waitFor(
    `${c.name}: ${podded.length} EndpointSlices of kube-controller-manager with ${w.pods} endpoints`,
    async () => {
      const r = await c.get(
        `/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices?labelSelector=${encodeURIComponent(KCM)}`,
      );
      const items = (JSON.parse(r.body) as { items: { endpoints?: unknown[] }[] }).items;
      return items.filter((s) => s.endpoints?.length === w.pods).length === podded.length;
    },
    { timeoutMs: 600_000, intervalMs: 2000 },
  );
}
