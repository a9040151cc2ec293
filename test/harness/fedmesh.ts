// fedmesh.ts: runs fedmesh-apiserver in-process against a harness cluster and registers it
// (local mode), then waits until the APIService is Available.
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startServer, type RunningServer } from '../../apiserver/app.js';
import { APISERVICE_NAME, localRegistrationObjects } from '../../apiserver/local.js';
import { jsonLogger, type Logger } from '../../apiserver/log.js';
import { completeOptions } from '../../apiserver/options.js';
import type { Cluster } from './cluster.js';
import { kubectl, kubectlOk } from './kubectl.js';
import { packageRoot } from './root.js';
import { waitFor } from './wait.js';

/** LocalFedmesh is a registered in-process fedmesh-apiserver. */
export interface LocalFedmesh extends RunningServer {
  caPem: string;
}

/** quietLogger logs warnings and errors only (FEDMESH_LOG=debug|info shows more). */
export const quietLogger = (): Logger => jsonLogger((process.env.FEDMESH_LOG as 'debug') ?? 'warn');

/** applyObjects applies objects with kubectl (server-side apply keeps it idempotent). */
export async function applyObjects(kubeconfig: string, objects: unknown[]): Promise<void> {
  const yaml = objects.map((o) => stringify(o)).join('---\n');
  await kubectlOk(
    kubeconfig,
    ['apply', '--server-side', '--force-conflicts', '--field-manager=fedmesh-test', '-f', '-'],
    { input: yaml },
  );
}

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
}

/** startLocalFedmesh starts fedmesh-apiserver for cluster and registers it as the APIService. */
export async function startLocalFedmesh(
  cluster: Cluster,
  log: Logger = quietLogger(),
): Promise<LocalFedmesh> {
  const opts = completeOptions({
    securePort: 0,
    bindAddress: '127.0.0.1',
    kubeconfig: cluster.kubeconfig,
    clusterName: cluster.name,
    serviceName: 'fedmesh-apiserver',
    serviceNamespace: 'fedmesh',
    watchHistory: 10_000,
    minRequestTimeoutSeconds: 1800,
    logLevel: 'warn',
  });
  const server = await startServer(opts, log);
  try {
    await server.synced;
    await kubectlOk(cluster.kubeconfig, ['apply', '-f', join(packageRoot(), 'manifests/rbac-users.yaml')]);
    await applyObjects(
      cluster.kubeconfig,
      localRegistrationObjects({ port: server.port, caPem: opts.caPem! }),
    );
    await waitAvailable(cluster.kubeconfig);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return { ...server, caPem: opts.caPem! };
}
