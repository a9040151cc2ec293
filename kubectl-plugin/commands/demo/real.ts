// real.ts: the demo's sample pods as real pods on a cluster's Ready nodes (kubectl mesh demo
// --image): the image must already be on the nodes (never pulled); a kubelet reports each pod's
// IP and readiness, which fedmesh then federates.
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { CliError } from '../../cli/errors.js';
import { statusError, statusOf, waitFor } from '../../kube/index.js';

/** readyNodes lists the names of the cluster's Ready nodes, sorted. */
export async function readyNodes(api: CoreV1Api, cluster: string): Promise<string[]> {
  const list = await api.listNode().catch((err: unknown) => {
    throw statusError(err, `listing the nodes of ${cluster}`);
  });
  const ready = list.items
    .filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((n) => n.metadata!.name!)
    .sort();
  if (ready.length === 0)
    throw new CliError(
      'EINVALID',
      `${cluster} has no Ready node to run the sample pods on`,
      undefined,
      'start nodes, or drop --image to create sample nodes and pods through the API only',
    );
  return ready;
}

/** asRealPod makes a sample pod run image (fedmesh-echo serving HTTP on the sample port). */
export function asRealPod(pod: V1Pod, image: string, httpPort: number): V1Pod {
  const c = pod.spec!.containers[0]!;
  c.image = image;
  c.imagePullPolicy = 'Never';
  c.args = ['-http', `:${httpPort}`, '-tcp', ''];
  c.readinessProbe = { tcpSocket: { port: httpPort }, periodSeconds: 2 };
  pod.spec!.terminationGracePeriodSeconds = 1;
  return pod;
}

/** createWithServiceAccountRetry creates a pod, retrying while the namespace's default ServiceAccount does not exist yet. */
export async function createWithServiceAccountRetry(api: CoreV1Api, pod: V1Pod): Promise<void> {
  const namespace = pod.metadata!.namespace!;
  for (let attempt = 0; ; attempt++) {
    try {
      await api.createNamespacedPod({ namespace, body: pod });
      return;
    } catch (err) {
      const s = statusOf(err);
      if (s?.code === 409) return;
      // The controller-manager creates "default" in a new namespace within a second or so.
      const noSA = s?.code === 403 && /service account/i.test(s.status.message ?? '');
      if (!noSA || attempt >= 50)
        throw statusError(err, `creating pod/${pod.metadata!.name} -n ${namespace}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** waitPodsReady waits until every pod reports Ready with an IP. */
export async function waitPodsReady(
  api: CoreV1Api,
  pods: V1Pod[],
  timeoutMs: number,
  say: (l: string) => void,
): Promise<void> {
  const namespaces = [...new Set(pods.map((p) => p.metadata!.namespace!))];
  await waitFor(
    `${pods.length} sample pods Ready`,
    async () => {
      const live = (
        await Promise.all(namespaces.map((namespace) => api.listNamespacedPod({ namespace })))
      ).flatMap((l) => l.items);
      const notReady = pods
        .map((p) => p.metadata!.name!)
        .filter((name) => {
          const p = live.find((x) => x.metadata?.name === name);
          return (
            !p?.status?.podIP || !p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
          );
        });
      return notReady.length === 0 ? true : `not Ready: ${notReady.join(', ')}`;
    },
    timeoutMs,
    say,
  );
}
