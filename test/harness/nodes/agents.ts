// agents.ts: fedmesh's node component on harness nodes, as its DaemonSet would run it: fedmesh-cni
// chained by its own installer into each node's conflist, and fedmesh-node in the node's network
// namespace against its cluster's API, with the overlay turned on in each MeshConfiguration.
import { execFile } from 'node:child_process';
import { get } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kubectlOk } from '../kubectl.js';
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

/** Agents are the running fedmesh-node processes; stop() ends them. */
export interface Agents {
  processes: Managed[];
  stop(): Promise<void>;
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
  const overlay = JSON.stringify({ spec: { overlay: { enabled: true, vni, udpPort: 4789 } } });
  for (const c of clusters)
    await kubectlOk(kubeconfigOf(c), [
      'patch',
      'meshconfiguration',
      'default',
      '--type=merge',
      '-p',
      overlay,
    ]);
  const processes: Managed[] = [];
  const agents: Agents = {
    processes,
    stop: async () => {
      await Promise.allSettled(processes.map((p) => stopProcess(p)));
      rmSync(sockets, { recursive: true, force: true });
    },
  };
  try {
    for (const n of nodes.nodes) {
      const sock = join(sockets, `${n.plan.cluster}-${n.name}.sock`);
      const cni = join(root, 'node/bin/fedmesh-cni.js');
      await run(process.execPath, [cni, 'install', '--conf-dir', n.files.cniConfDir, '--socket', sock]);
      const args = [
        `--net=/run/netns/${n.plan.netns}`,
        process.execPath,
        join(root, 'node/bin/fedmesh-node.js'),
      ];
      args.push('--kubeconfig', kubeconfigOf(n.plan.cluster), '--node-name', n.name, '--socket', sock);
      args.push('--health-address', n.plan.ip, '--health-port', String(HEALTH_PORT));
      const log = join(logDir, `${n.plan.cluster}-${n.name}-agent.log`);
      processes.push(startProcess(`fedmesh-node ${n.name}`, 'nsenter', args, log));
    }
    for (const [i, n] of nodes.nodes.entries())
      await waitFor(`fedmesh-node ready on ${n.name}`, () => ready(n.plan.ip), {
        timeoutMs: 90_000,
        process: processes[i],
      });
  } catch (err) {
    await agents.stop();
    throw err;
  }
  return agents;
}
