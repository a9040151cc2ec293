// fedmesh.ts: runs fedmesh-apiserver in-process against a harness cluster and registers it
// (local mode), then waits until the APIService is Available.
import { join } from 'node:path';
import { startServer, type RunningServer } from '../../apiserver/app.js';
import { APISERVICE_NAME, localRegistrationObjects } from '../../kubectl-plugin/commands/install/local.js';
import { jsonLogger, type Logger } from '../../apiserver/log.js';
import { completeOptions, defaultOptions, type Options } from '../../apiserver/options.js';
import type { Cluster } from './cluster.js';
import { installCRDs } from './connect.js';
import { applyObjects, kubectl, kubectlOk } from './kubectl.js';

export { applyObjects } from './kubectl.js';
import { packageRoot } from './root.js';
import { waitFor } from './wait.js';

/** LocalFedmesh is a registered in-process fedmesh-apiserver. */
export interface LocalFedmesh extends RunningServer {
  caPem: string;
  /** restart stops the server and starts a new one on the same port with the same certificate. */
  restart(): Promise<LocalFedmesh>;
}

/** LocalOptions tune startLocalFedmesh. */
export interface LocalOptions {
  staleGracePeriodSeconds?: number;
  /** Events kept per resource for watch resumption (default 10,000). */
  watchHistory?: number;
  /** More fedmesh-apiserver options (limits, timeouts), as its flags would set them. */
  options?: Partial<Options>;
  /** Reuse a port and serving certificate (restarts). */
  reuse?: { port: number; certPem: string; keyPem: string; caPem: string };
}

/** quietLogger logs warnings and errors only (FEDMESH_LOG=debug|info shows more). */
export const quietLogger = (): Logger => jsonLogger((process.env.FEDMESH_LOG as 'debug') ?? 'warn');

/** waitAvailable waits until the APIService reports Available=True. */
export async function waitAvailable(kubeconfig: string, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    `APIService ${APISERVICE_NAME} Available`,
    async () => {
      const r = await kubectl(kubeconfig, [
        'get',
        'apiservice',
        APISERVICE_NAME,
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Available")].status}',
      ]);
      return r.stdout.trim() === 'True';
    },
    { timeoutMs, intervalMs: 250 },
  );
  // kube-apiserver merges our OpenAPI asynchronously (retrying a failed first fetch after about a
  // minute); `kubectl explain` works once the group version is listed in its /openapi/v3.
  await waitFor(
    'federated.mesh/v1alpha1 in the cluster OpenAPI v3',
    async () =>
      (await kubectl(kubeconfig, ['get', '--raw', '/openapi/v3'])).stdout.includes(
        '"apis/federated.mesh/v1alpha1"',
      ),
    { timeoutMs: 120_000, intervalMs: 500 },
  );
}

/** UnregisteredFedmesh is a running fedmesh-apiserver that no APIService points at yet. */
export interface UnregisteredFedmesh extends RunningServer {
  /** caFile holds the CA of the serving certificate (for `kubectl mesh install --local-ca-file`). */
  caFile: string;
}

/** startFedmeshServer starts fedmesh-apiserver for cluster without registering it (the caller installs). */
export async function startFedmeshServer(
  cluster: Cluster,
  log: Logger = quietLogger(),
  staleGracePeriodSeconds = 300,
  more: Partial<Options> = {},
): Promise<UnregisteredFedmesh> {
  const opts = completeOptions({
    ...defaultOptions(),
    securePort: 0,
    bindAddress: '127.0.0.1',
    kubeconfig: cluster.kubeconfig,
    clusterName: cluster.name,
    serviceName: 'fedmesh-apiserver',
    serviceNamespace: 'fedmesh',
    watchHistory: 10_000,
    minRequestTimeoutSeconds: 1800,
    staleGracePeriodSeconds,
    logLevel: 'warn',
    certDir: join(cluster.dir, 'fedmesh-serving'),
    ...more,
  });
  const server = await startServer(opts, log);
  return { ...server, caFile: join(cluster.dir, 'fedmesh-serving', 'ca.crt') };
}

/** startLocalFedmesh starts fedmesh-apiserver for cluster and registers it as the APIService. */
export async function startLocalFedmesh(
  cluster: Cluster,
  log: Logger = quietLogger(),
  lo: LocalOptions = {},
): Promise<LocalFedmesh> {
  const base = {
    ...defaultOptions(),
    securePort: lo.reuse?.port ?? 0,
    bindAddress: '127.0.0.1',
    kubeconfig: cluster.kubeconfig,
    clusterName: cluster.name,
    serviceName: 'fedmesh-apiserver',
    serviceNamespace: 'fedmesh',
    watchHistory: lo.watchHistory ?? 10_000,
    minRequestTimeoutSeconds: 1800,
    staleGracePeriodSeconds: lo.staleGracePeriodSeconds ?? 300,
    logLevel: 'warn' as const,
    ...lo.options,
  };
  const opts = lo.reuse ? { ...base, ...lo.reuse } : completeOptions(base);
  if (!lo.reuse) await installCRDs(cluster);
  const server = await startServer(opts, log);
  try {
    await server.synced;
    await kubectlOk(cluster.kubeconfig, ['apply', '-f', join(packageRoot(), 'manifests/rbac-users.yaml')]);
    await applyObjects(cluster.kubeconfig, [
      ...localRegistrationObjects({ port: server.port, caPem: opts.caPem! }),
      // The local cluster's name in the mesh, as `kubectl mesh install --cluster-name` records it.
      {
        apiVersion: 'config.federated.mesh/v1alpha1',
        kind: 'MeshConfiguration',
        metadata: { name: 'default' },
        spec: { clusterName: cluster.name },
      },
    ]);
    await waitAvailable(cluster.kubeconfig);
  } catch (err) {
    await server.stop();
    throw err;
  }
  const restart = async (): Promise<LocalFedmesh> => {
    await server.stop();
    const reuse = { port: server.port, certPem: opts.certPem, keyPem: opts.keyPem, caPem: opts.caPem! };
    return startLocalFedmesh(cluster, log, { ...lo, reuse });
  };
  return { ...server, caPem: opts.caPem!, restart };
}
