// pods.ts: test pods on real nodes: the workload image (busybox + fedmesh-echo) pinned to a node,
// never pulled, with a TCP readiness probe so Ready comes from the kubelet; and waiting for them.
import { kubectl, kubectlOk, type KubectlResult } from '../kubectl.js';
import { ECHO_HTTP_PORT, ECHO_TCP_PORT } from '../../images/test-images.js';

/** TestPod describes a workload pod on a real node. */
export interface TestPod {
  name: string;
  namespace?: string;
  node: string;
  labels?: Record<string, string>;
  /** Command instead of fedmesh-echo (e.g. ['sleep', '3600']); no readiness probe then. */
  command?: string[];
  serviceAccountName?: string;
}

/** PodInfo is what a running pod reports. */
export interface PodInfo {
  name: string;
  namespace: string;
  node: string;
  ip: string;
  /** ip6 is the pod's IPv6 address (dual-stack nodes), '' if it has none. */
  ip6: string;
  phase: string;
  ready: boolean;
}

/** podObject renders a TestPod as a Pod for image (the workload image reference). */
export function podObject(p: TestPod, image: string): object {
  const echo = !p.command;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, namespace: p.namespace ?? 'default', labels: p.labels ?? {} },
    spec: {
      nodeName: p.node,
      terminationGracePeriodSeconds: 1,
      ...(p.serviceAccountName ? { serviceAccountName: p.serviceAccountName } : {}),
      containers: [
        {
          name: 'app',
          image,
          imagePullPolicy: 'Never',
          ...(p.command ? { command: p.command } : {}),
          ports: echo
            ? [
                { name: 'tcp', containerPort: ECHO_TCP_PORT },
                { name: 'http', containerPort: ECHO_HTTP_PORT },
              ]
            : [],
          ...(echo ? { readinessProbe: { tcpSocket: { port: ECHO_TCP_PORT }, periodSeconds: 2 } } : {}),
        },
      ],
    },
  };
}

/** createTestPods creates (or updates) the pods, retrying while a new namespace has no default ServiceAccount yet. */
export async function createTestPods(kubeconfig: string, pods: TestPod[], image: string): Promise<void> {
  const items = pods.map((p) => podObject(p, image));
  const input = JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
  for (let attempt = 0; ; attempt++) {
    const r = await kubectl(kubeconfig, ['apply', '-f', '-'], { input });
    if (r.code === 0) return;
    // The controller-manager creates "default" in a new namespace within a second or so.
    if (!/error looking up service account/.test(r.stderr) || attempt >= 50)
      throw new Error(`creating pods ${pods.map((p) => p.name).join(', ')}: ${r.stderr.trim()}`);
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** waitPodsReady waits until every named pod is Ready and returns them with node and IP. */
export async function waitPodsReady(
  kubeconfig: string,
  namespace: string,
  names: string[],
  timeoutS = 120,
): Promise<PodInfo[]> {
  const r = await kubectl(
    kubeconfig,
    [
      'wait',
      '-n',
      namespace,
      '--for=condition=Ready',
      `--timeout=${timeoutS}s`,
      ...names.map((n) => `pod/${n}`),
    ],
    { timeoutMs: (timeoutS + 10) * 1000 },
  );
  if (r.code !== 0) {
    const desc = await kubectl(kubeconfig, ['describe', 'pods', '-n', namespace, ...names]);
    throw new Error(`pods ${names.join(', ')} not Ready: ${r.stderr.trim()}\n${desc.stdout.slice(-3000)}`);
  }
  return getPods(kubeconfig, namespace, names);
}

/** getPods returns the named pods' node, IP, phase and readiness. */
export async function getPods(kubeconfig: string, namespace: string, names: string[]): Promise<PodInfo[]> {
  const out = await kubectlOk(kubeconfig, ['get', 'pods', '-n', namespace, '-o', 'json', ...names]);
  const parsed = JSON.parse(out) as { items?: RawPod[] } & RawPod;
  return (parsed.items ?? [parsed]).map(podInfo);
}

interface RawPod {
  metadata: { name: string; namespace: string };
  spec: { nodeName?: string };
  status?: {
    podIP?: string;
    podIPs?: { ip: string }[];
    phase?: string;
    conditions?: { type: string; status: string }[];
  };
}

const podInfo = (p: RawPod): PodInfo => ({
  name: p.metadata.name,
  namespace: p.metadata.namespace,
  node: p.spec.nodeName ?? '',
  ip: p.status?.podIP ?? '',
  ip6: p.status?.podIPs?.find((a) => a.ip.includes(':'))?.ip ?? '',
  phase: p.status?.phase ?? '',
  ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
});

/** podGet fetches url from inside a pod with busybox's wget, bounded by seconds (default 3).
 * busybox wget's own -T crashes (exit 139), so its timeout applet kills an attempt that gets no
 * answer (a refused or unrouted address): kubectl then fails with "exit code 137". */
export function podGet(
  kubeconfig: string,
  pod: string,
  url: string,
  o: { namespace?: string; seconds?: number } = {},
): Promise<KubectlResult> {
  const ns = o.namespace ? ['-n', o.namespace] : [];
  const bound = ['timeout', '-s', 'KILL', String(o.seconds ?? 3)];
  return kubectl(kubeconfig, ['exec', ...ns, pod, '--', ...bound, 'wget', '-qO-', url]);
}
