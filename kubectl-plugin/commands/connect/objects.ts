// objects.ts: what connect creates: in the remote cluster a reader ServiceAccount per consuming
// cluster, bound to one least-privilege ClusterRole (get/list/watch of exactly what the cluster
// syncer reads), so each peer's access is revoked alone; in the consuming cluster a Secret with a
// kubeconfig for that reader and a RemoteClusterConfiguration.
import { CONSUMER_LABEL, REMOTE_CLUSTER_CONFIGURATIONS as RCC } from '../../../api/index.js';
import type { Obj } from '../../kube/index.js';
import { stringify } from 'yaml';

/** NAMESPACE is where fedmesh keeps its objects in both clusters. */
export const NAMESPACE = 'fedmesh';
/** READER_ROLE is the ClusterRole every reader ServiceAccount of a remote cluster is bound to. */
export const READER_ROLE = 'fedmesh-remote-reader';

/** readerName is the ServiceAccount and ClusterRoleBinding of the consumer in the remote cluster. */
export const readerName = (consumer: string): string => `fedmesh-reader-${consumer}`;
/** RCC_API names the RemoteClusterConfiguration resource for CustomObjectsApi calls. */
export const RCC_API = { group: RCC.group, version: RCC.version, plural: RCC.plural };

const LABELS = { 'app.kubernetes.io/managed-by': 'kubectl-mesh' };
const READ = ['get', 'list', 'watch'];

/** READER_RULES are exactly what a cluster syncer reads from a remote cluster. */
export const READER_RULES = [
  {
    apiGroups: [''],
    resources: ['pods', 'nodes', 'namespaces', 'serviceaccounts', 'services'],
    verbs: READ,
  },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  // Multi-Cluster Services: a cluster's exports (the API may be absent; the syncer then waits for it).
  { apiGroups: ['multicluster.x-k8s.io'], resources: ['serviceexports'], verbs: READ },
];

/**
 * readerObjects are the remote cluster's Namespace, the consumer's ServiceAccount and binding, the
 * ClusterRole, and a Role that lets the reader renew its own token (and no other ServiceAccount's),
 * so the consumer's fedmesh-apiserver rotates the short-lived credential before it expires.
 */
export function readerObjects(consumer: string): Obj[] {
  const meta = { name: readerName(consumer), labels: { ...LABELS, [CONSUMER_LABEL]: consumer } };
  const renew = { ...meta, name: `${readerName(consumer)}-token`, namespace: NAMESPACE };
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { ...meta, namespace: NAMESPACE } },
    readerRole(),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: READER_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: readerName(consumer), namespace: NAMESPACE }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: renew,
      rules: [
        {
          apiGroups: [''],
          resources: ['serviceaccounts/token'],
          verbs: ['create'],
          resourceNames: [readerName(consumer)],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: renew,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: renew.name },
      subjects: [{ kind: 'ServiceAccount', name: readerName(consumer), namespace: NAMESPACE }],
    },
  ];
}

/** readerRole is the shared least-privilege ClusterRole of remote readers. */
export function readerRole(): Obj {
  const metadata = { name: READER_ROLE, labels: LABELS };
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata, rules: READER_RULES };
}

export { CONSUMER_LABEL };

/** secretName is the name of the access Secret for the remote cluster name. */
export const secretName = (name: string): string => `remote-${name}`;

/** consumerObjects are the consuming cluster's Namespace, access Secret and RemoteClusterConfiguration. */
export function consumerObjects(name: string, kubeconfig: string): Obj[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: secretName(name), namespace: NAMESPACE, labels: LABELS },
      type: 'Opaque',
      stringData: { kubeconfig },
    },
    {
      apiVersion: `${RCC_API.group}/${RCC_API.version}`,
      kind: 'RemoteClusterConfiguration',
      metadata: { name, labels: LABELS },
      spec: { clusterAccessSecret: { name: secretName(name), namespace: NAMESPACE } },
    },
  ];
}

/** Endpoint is how to reach and trust a cluster's API server. */
export interface Endpoint {
  server: string;
  caData?: string; // base64 PEM
  skipTLSVerify?: boolean;
  tlsServerName?: string;
}

/** tokenKubeconfig renders a kubeconfig that reaches the remote cluster as the reader. */
export function tokenKubeconfig(name: string, ep: Endpoint, token: string, user = 'fedmesh-reader'): string {
  const cluster: Record<string, unknown> = { server: ep.server };
  if (ep.caData) cluster['certificate-authority-data'] = ep.caData;
  if (ep.skipTLSVerify) cluster['insecure-skip-tls-verify'] = true;
  if (ep.tlsServerName) cluster['tls-server-name'] = ep.tlsServerName;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name: user, user: { token } }],
    contexts: [{ name, context: { cluster: name, user } }],
    'current-context': name,
  });
}

/** REDACTED stands for the token in dry-run output: it is only issued when connect applies. */
export const REDACTED = '<issued by a TokenRequest when applied>';
