// cluster-source.ts: lists and watches one cluster's pods, nodes, namespaces and service accounts
// (client-node informers: relist on 410, deletes for objects gone after a relist) and feeds the
// mesh store in batches. Errors restart the failed informer with capped exponential backoff.
import {
  CoreV1Api,
  makeInformer,
  type KubeConfig,
  type KubernetesObject,
  type V1Namespace,
  type V1Node,
  type V1Pod,
  type V1ServiceAccount,
} from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import type { MeshStore, SourceChange } from './meshstore.js';

/** ClusterSource is a running sync of one cluster into the mesh store. */
export interface ClusterSource {
  /** synced resolves once every kind has been listed once. */
  synced: Promise<void>;
  stop(): Promise<void>;
}

interface Kind<T extends KubernetesObject> {
  name: string;
  path: string;
  list: (api: CoreV1Api) => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>;
  apply: (mesh: MeshStore, cluster: string, changes: SourceChange<T>[]) => void;
}

const KINDS = [
  {
    name: 'namespaces',
    path: '/api/v1/namespaces',
    list: (a) => a.listNamespace(),
    apply: (m, c, ch) => m.applyNamespaces(c, ch),
  } satisfies Kind<V1Namespace>,
  {
    name: 'serviceaccounts',
    path: '/api/v1/serviceaccounts',
    list: (a) => a.listServiceAccountForAllNamespaces(),
    apply: (m, c, ch) => m.applyServiceAccounts(c, ch),
  } satisfies Kind<V1ServiceAccount>,
  {
    name: 'pods',
    path: '/api/v1/pods',
    list: (a) => a.listPodForAllNamespaces(),
    apply: (m, c, ch) => m.applyPods(c, ch),
  } satisfies Kind<V1Pod>,
  {
    name: 'nodes',
    path: '/api/v1/nodes',
    list: (a) => a.listNode(),
    apply: (m, c, ch) => m.applyNodes(c, ch),
  } satisfies Kind<V1Node>,
];

const MAX_BACKOFF_MS = 30_000;

function syncKind<T extends KubernetesObject>(
  kc: KubeConfig,
  cluster: string,
  mesh: MeshStore,
  kind: Kind<T>,
  log: Logger,
): ClusterSource {
  const api = kc.makeApiClient(CoreV1Api);
  const informer = makeInformer<T>(kc, kind.path, () => kind.list(api) as never);
  let batch: SourceChange<T>[] = [];
  const flush = (): void => {
    const b = batch;
    batch = [];
    if (b.length) kind.apply(mesh, cluster, b);
  };
  const push = (c: SourceChange<T>): void => {
    if (batch.length === 0) setImmediate(flush);
    batch.push(c);
  };
  informer.on('add', (o) => push({ upsert: o }));
  informer.on('update', (o) => push({ upsert: o }));
  informer.on('delete', (o) =>
    push({ delete: { namespace: o.metadata?.namespace, name: o.metadata!.name! } }),
  );
  let stopped = false;
  let attempt = 0;
  let failed = false;
  let markSynced!: () => void;
  const synced = new Promise<void>((r) => (markSynced = r));
  const start = async (): Promise<void> => {
    failed = false;
    await informer.start();
    if (!failed) {
      attempt = 0;
      flush();
      markSynced();
    }
  };
  informer.on('error', (err: unknown) => {
    failed = true;
    if (stopped) return;
    const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt++) * (0.5 + Math.random() / 2);
    log.warn('watch failed; retrying', {
      cluster,
      kind: kind.name,
      retryInMs: Math.round(delay),
      error: errorText(err),
    });
    setTimeout(() => void (stopped ? undefined : start()), delay).unref();
  });
  void start();
  return {
    synced,
    stop: async () => {
      stopped = true;
      await informer.stop();
    },
  };
}

function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err) return String((err as Error).message).slice(0, 300);
  return String(err).slice(0, 300);
}

/** startClusterSource syncs a cluster's pods, nodes, namespaces and service accounts into mesh. */
export function startClusterSource(
  kc: KubeConfig,
  cluster: string,
  mesh: MeshStore,
  log: Logger,
): ClusterSource {
  const parts = KINDS.map((k) => syncKind(kc, cluster, mesh, k as Kind<KubernetesObject>, log));
  return {
    synced: Promise.all(parts.map((p) => p.synced)).then(() => undefined),
    stop: async () => {
      await Promise.all(parts.map((p) => p.stop()));
    },
  };
}
