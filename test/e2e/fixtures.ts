// fixtures.ts: sample workloads for end-to-end tests: pods (with status: IPs, phase, Ready) and
// namespaces created through the API, as a kubelet would leave them.
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';

/** PodSpec is a compact description of a test pod. */
export interface PodSpec {
  ns: string;
  name: string;
  labels: Record<string, string>;
  ip: string;
  node: string;
  port?: { name: string; port: number };
  serviceAccount?: string;
  ready?: boolean;
}

function api(kubeconfig: string): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  return kc.makeApiClient(CoreV1Api);
}

const conflict = (e: unknown): boolean => (e as { code?: number }).code === 409;

/** ensureNamespaces creates the namespaces that do not exist yet. */
export async function ensureNamespaces(
  kubeconfig: string,
  names: Iterable<string>,
  labels: Record<string, string> = {},
): Promise<void> {
  const core = api(kubeconfig);
  for (const name of new Set(names)) {
    await core.createNamespace({ body: { metadata: { name, labels } } }).catch((e: unknown) => {
      if (!conflict(e)) throw e;
    });
  }
}

function podObject(p: PodSpec): V1Pod {
  return {
    metadata: { name: p.name, namespace: p.ns, labels: p.labels },
    spec: {
      nodeName: p.node,
      serviceAccountName: p.serviceAccount ?? 'default',
      containers: [
        {
          name: 'app',
          image: 'registry.example/app:1',
          ports: p.port ? [{ name: p.port.name, containerPort: p.port.port }] : [],
        },
      ],
    },
  };
}

async function createOne(core: CoreV1Api, p: PodSpec): Promise<void> {
  const created = await core.createNamespacedPod({ namespace: p.ns, body: podObject(p) });
  created.status = {
    phase: 'Running',
    podIP: p.ip,
    podIPs: [{ ip: p.ip }],
    conditions: [{ type: 'Ready', status: p.ready === false ? 'False' : 'True' }],
  };
  await core.replaceNamespacedPodStatus({ name: p.name, namespace: p.ns, body: created });
}

/** createPods creates the pods (and their namespaces) and sets their status, 16 at a time. */
export async function createPods(kubeconfig: string, pods: PodSpec[]): Promise<void> {
  await ensureNamespaces(
    kubeconfig,
    pods.map((p) => p.ns),
  );
  const core = api(kubeconfig);
  const queue = [...pods];
  const worker = async (): Promise<void> => {
    for (let p = queue.shift(); p; p = queue.shift()) await createOne(core, p);
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

/** NodeSpec is a compact description of a test node. */
export interface NodeSpec {
  name: string;
  labels?: Record<string, string>;
  internalIP: string;
  podCIDR: string;
}

/** createNodes creates nodes with addresses, pod CIDRs and a Ready condition. */
export async function createNodes(kubeconfig: string, nodes: NodeSpec[]): Promise<void> {
  const core = api(kubeconfig);
  for (const n of nodes) {
    const created = await core.createNode({
      body: {
        metadata: { name: n.name, labels: n.labels },
        spec: { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR] },
      },
    });
    created.status = {
      addresses: [
        { type: 'InternalIP', address: n.internalIP },
        { type: 'Hostname', address: n.name },
      ],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'sample node' }],
    };
    await core.replaceNodeStatus({ name: n.name, body: created });
  }
}
