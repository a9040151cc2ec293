// samples.ts: the demo's sample workloads: nodes with underlay addresses from documentation
// ranges and pod CIDRs, namespaces, and pods with IPs, different in each cluster.
import { createNodes, createPods, ensureNamespaces, type PodSpec } from '../e2e/fixtures.js';

interface Sample {
  underlay: string;
  podNet: string;
  apps: { ns: string; app: string; tier: string; replicas: number }[];
}

const SAMPLES: Record<string, Sample> = {
  'cluster-a': {
    underlay: '198.51.100',
    podNet: '10.10',
    apps: [
      { ns: 'shop', app: 'frontend', tier: 'web', replicas: 3 },
      { ns: 'shop', app: 'cart', tier: 'api', replicas: 2 },
    ],
  },
  'cluster-b': {
    underlay: '203.0.113',
    podNet: '10.20',
    apps: [
      { ns: 'shop', app: 'db', tier: 'data', replicas: 2 },
      { ns: 'payments', app: 'ledger', tier: 'api', replicas: 2 },
    ],
  },
};

/** createSamples creates the sample nodes, namespaces and pods of cluster (if it has samples). */
export async function createSamples(cluster: string, kubeconfig: string): Promise<number> {
  const s = SAMPLES[cluster];
  if (!s) return 0;
  const nodes = [1, 2].map((i) => ({
    name: `${cluster}-node-${i}`,
    internalIP: `${s.underlay}.${10 + i}`,
    podCIDR: `${s.podNet}.${i}.0/24`,
    labels: { 'topology.kubernetes.io/zone': `${cluster}-z${i}` },
  }));
  await createNodes(kubeconfig, nodes);
  await ensureNamespaces(
    kubeconfig,
    s.apps.map((a) => a.ns),
    { team: 'shop' },
  );
  let n = 0;
  const pods: PodSpec[] = s.apps.flatMap((a) =>
    Array.from({ length: a.replicas }, (_, i) => {
      const node = (n++ % 2) + 1;
      return {
        ns: a.ns,
        name: `${a.app}-${i}`,
        labels: { app: a.app, tier: a.tier },
        ip: `${s.podNet}.${node}.${10 + n}`,
        node: `${cluster}-node-${node}`,
        port: { name: 'http', port: 8080 },
      };
    }),
  );
  await createPods(kubeconfig, pods);
  return pods.length;
}
