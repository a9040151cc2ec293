// connect.ts: connects harness clusters the way `kubectl mesh connect` does: in the remote cluster
// a ServiceAccount with a least-privilege ClusterRole and a token; in the consuming cluster a
// Secret holding a kubeconfig for it, and a RemoteClusterConfiguration.
import { join } from 'node:path';
import { READER_RULES } from '../../kubectl-plugin/commands/connect/objects.js';
import { stringify } from 'yaml';
import type { Cluster } from './cluster.js';
import { applyObjects } from './kubectl.js';
import { kubectlOk } from './kubectl.js';
import { packageRoot } from './root.js';

/** REMOTE_READER_RULES are exactly what a cluster syncer reads (the rules `kubectl mesh connect` grants). */
export const REMOTE_READER_RULES = READER_RULES;

/** installCRDs applies the config.federated.mesh CRDs and waits until they are served. */
export async function installCRDs(c: Cluster): Promise<void> {
  await kubectlOk(c.kubeconfig, ['apply', '-f', join(packageRoot(), 'manifests/crds')]);
  await kubectlOk(c.kubeconfig, [
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/remoteclusterconfigurations.config.federated.mesh',
  ]);
}

/** remoteKubeconfig creates the reader identity in remote and returns a kubeconfig for it. */
export async function remoteKubeconfig(remote: Cluster, reader = 'fedmesh-remote-reader'): Promise<string> {
  await applyObjects(remote.kubeconfig, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fedmesh' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: reader, namespace: 'fedmesh' } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: reader },
      rules: REMOTE_READER_RULES,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: reader },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: reader },
      subjects: [{ kind: 'ServiceAccount', name: reader, namespace: 'fedmesh' }],
    },
  ]);
  const token = (
    await kubectlOk(remote.kubeconfig, ['create', 'token', reader, '-n', 'fedmesh', '--duration=24h'])
  ).trim();
  return kubeconfigFor(remote, token, remote.pki.servingCA.certPem);
}

/** kubeconfigFor renders a token kubeconfig for a cluster (caPem may be wrong, on purpose, in tests). */
export function kubeconfigFor(remote: Cluster, token: string, caPem: string): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: remote.name,
        cluster: { server: remote.url, 'certificate-authority-data': Buffer.from(caPem).toString('base64') },
      },
    ],
    users: [{ name: 'fedmesh', user: { token } }],
    contexts: [{ name: remote.name, context: { cluster: remote.name, user: 'fedmesh' } }],
    'current-context': remote.name,
  });
}

/** storeRemote writes the access Secret and the RemoteClusterConfiguration in the consumer. */
export async function storeRemote(consumer: Cluster, name: string, kubeconfig: string): Promise<void> {
  await applyObjects(consumer.kubeconfig, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fedmesh' } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `remote-${name}`, namespace: 'fedmesh' },
      stringData: { kubeconfig },
    },
    {
      apiVersion: 'config.federated.mesh/v1alpha1',
      kind: 'RemoteClusterConfiguration',
      metadata: { name },
      spec: { clusterAccessSecret: { name: `remote-${name}`, namespace: 'fedmesh' } },
    },
  ]);
}

/** connect makes consumer pull from remote. */
export async function connect(consumer: Cluster, remote: Cluster): Promise<void> {
  await storeRemote(consumer, remote.name, await remoteKubeconfig(remote));
}
