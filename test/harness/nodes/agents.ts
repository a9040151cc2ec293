// agents.ts: fedmesh's node component on harness nodes, as its DaemonSet would run it: fedmesh-cni
// chained by its own installer into each node's conflist, and fedmesh-node in the node's network
// namespace against its cluster's API with the DaemonSet's ServiceAccount and RBAC
// (manifests/rbac-node.yaml, a token from the TokenRequest API), with the overlay turned on in each
// MeshConfiguration.
import { execFile } from 'node:child_process';
import { get } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { applyObjects, kubectlOk } from '../kubectl.js';
import { startProcess, stopProcess, type Managed } from '../process.js';
import { packageRoot } from '../root.js';
import { waitFor } from '../wait.js';
import type { NodeSet } from './nodes.js';

const run = promisify(execFile);

/** HEALTH_PORT is where each fedmesh-node serves /readyz on its node's underlay address. */
export const HEALTH_PORT = 9765;

/** FEDMESH_CNI is the plugin executable for NodesOptions.cniBinaries. */
export const FEDMESH_CNI = (): Record<string, string> => ({
  'fedmesh-cni': join(packageRoot(), 'node/bin/fedmesh-cni.js'),
});

/** Agents are the running fedmesh-node processes (in the order of the node set's nodes). */
export interface Agents {
  processes: Managed[];
  /** restart stops every agent (SIGTERM, as a rollout does) and starts it again, until ready. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** nodeKubeconfig grants fedmesh-node's RBAC in a cluster and writes a kubeconfig with a token of
 * its ServiceAccount (the admin kubeconfig's server and CA), as the DaemonSet's pods get. */
export async function nodeKubeconfig(admin: string, file: string): Promise<string> {
  await applyObjects(admin, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fedmesh' } }]);
  await kubectlOk(admin, ['apply', '-f', join(packageRoot(), 'manifests/rbac-node.yaml')]);
  const token = (
    await kubectlOk(admin, ['create', 'token', 'fedmesh-node', '-n', 'fedmesh', '--duration', '720h'])
  ).trim();
  const kc = new KubeConfig();
  kc.loadFromFile(admin);
  const c = kc.getCurrentCluster()!;
  const ca = c.caData ?? (c.caFile ? readFileSync(c.caFile).toString('base64') : undefined);
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'local', cluster: { server: c.server, 'certificate-authority-data': ca } }],
      users: [{ name: 'fedmesh-node', user: { token } }],
      contexts: [{ name: 'local', context: { cluster: 'local', user: 'fedmesh-node' } }],
      'current-context': 'local',
    }),
    { mode: 0o600 },
  );
  return file;
}

/** setOverlay sets the overlay of a cluster's MeshConfiguration (enabled false: routed mode). */
export async function setOverlay(
  kubeconfig: string,
  overlay: { enabled: boolean; vni?: number; udpPort?: number },
): Promise<void> {
  const patch = JSON.stringify({ spec: { overlay } });
  await kubectlOk(kubeconfig, ['patch', 'meshconfiguration', 'default', '--type=merge', '-p', patch]);
}

const ready = (host: string): Promise<boolean> =>
  new Promise((resolve) => {
    get({ host, port: HEALTH_PORT, path: '/readyz', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    }).on('error', () => resolve(false));
  });

/**
 * startAgents turns the overlay on in every cluster (VXLAN with vni), chains fedmesh-cni on every
 * node and starts fedmesh-node there; it resolves when every agent is ready. Pods created after it
 * get the overlay MTU and reach other clusters' pods with their own source IPs.
 */
export async function startAgents(
  nodes: NodeSet,
  kubeconfigOf: (cluster: string) => string,
  logDir: string,
  vni: number,
): Promise<Agents> {
  // Unix socket paths are limited to 107 bytes: keep them short, whatever logDir is.
  const sockets = mkdtempSync(join(tmpdir(), 'fm-cni-'));
  const root = packageRoot();
  const clusters = [...new Set(nodes.nodes.map((n) => n.plan.cluster))];
  for (const c of clusters) await setOverlay(kubeconfigOf(c), { enabled: true, vni, udpPort: 4789 });
  const nodeKubeconfigs = new Map<string, string>();
  for (const c of clusters)
    nodeKubeconfigs.set(c, await nodeKubeconfig(kubeconfigOf(c), join(sockets, `${c}.kubeconfig`)));
  const processes: Managed[] = [];
  const launch = (i: number): void => {
    const n = nodes.nodes[i]!;
    const args = [
      `--net=/run/netns/${n.plan.netns}`,
      process.execPath,
      join(root, 'node/bin/fedmesh-node.js'),
    ];
    args.push('--kubeconfig', nodeKubeconfigs.get(n.plan.cluster)!, '--node-name', n.name);
    args.push('--socket', join(sockets, `${n.plan.cluster}-${n.name}.sock`));
    args.push('--health-address', n.plan.ip, '--health-port', String(HEALTH_PORT));
    const log = join(logDir, `${n.plan.cluster}-${n.name}-agent.log`);
    processes[i] = startProcess(`fedmesh-node ${n.name}`, 'nsenter', args, log);
  };
  const allReady = async (): Promise<void> => {
    for (const [i, n] of nodes.nodes.entries())
      await waitFor(`fedmesh-node ready on ${n.name}`, () => ready(n.plan.ip), {
        timeoutMs: 90_000,
        process: processes[i],
      });
  };
  const agents: Agents = {
    processes,
    restart: async () => {
      for (const i of nodes.nodes.keys()) {
        await stopProcess(processes[i]!);
        launch(i);
      }
      await allReady();
    },
    stop: async () => {
      await Promise.allSettled(processes.map((p) => stopProcess(p)));
      rmSync(sockets, { recursive: true, force: true });
    },
  };
  try {
    const cni = join(root, 'node/bin/fedmesh-cni.js');
    for (const [i, n] of nodes.nodes.entries()) {
      const sock = join(sockets, `${n.plan.cluster}-${n.name}.sock`);
      await run(process.execPath, [cni, 'install', '--conf-dir', n.files.cniConfDir, '--socket', sock]);
      launch(i);
    }
    await allReady();
  } catch (err) {
    await agents.stop();
    throw err;
  }
  return agents;
}
