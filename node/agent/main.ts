// main.ts: the fedmesh-node executable: options, then complete, then run.
//   fedmesh-node [--kubeconfig FILE] [--node-name NAME] [--socket PATH] [--health-address ADDR]
//                [--health-port N] [--resync SECONDS] [--enforce-policy=false]
//   fedmesh-node cleanup      removes everything fedmesh programmed on this node (uninstall)
// Without --kubeconfig it uses the in-cluster service account; NODE_NAME names the node.
import { KubeConfig } from '@kubernetes/client-node';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { DEFAULT_SOCKET } from '../cni/protocol.js';
import { Runner } from '../dataplane/exec.js';
import { Reconciler } from '../dataplane/reconciler.js';
import { PolicyApplier } from '../policy/apply.js';
import { Core } from '../../core/index.js';
import { Agent, type AgentConfig } from './agent.js';
import { PolicyWatch } from './policysource.js';

/** complete turns command-line arguments into an agent configuration, or throws saying what is wrong. */
export function complete(argv: string[], env: NodeJS.ProcessEnv): AgentConfig {
  const { values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      kubeconfig: { type: 'string' },
      'node-name': { type: 'string' },
      socket: { type: 'string', default: DEFAULT_SOCKET },
      'health-address': { type: 'string', default: '0.0.0.0' },
      'health-port': { type: 'string', default: '9765' },
      resync: { type: 'string', default: '60' },
      'enforce-policy': { type: 'string', default: 'true' },
    },
  });
  const problems: string[] = [];
  const nodeName = values['node-name'] ?? env.NODE_NAME ?? hostname();
  const healthPort = Number(values['health-port']);
  const resync = Number(values.resync);
  if (!Number.isInteger(healthPort) || healthPort < 0 || healthPort > 65535)
    problems.push('--health-port must be 0-65535');
  if (!(resync > 0)) problems.push('--resync must be a positive number of seconds');
  const enforce = values['enforce-policy'];
  if (enforce !== 'true' && enforce !== 'false') problems.push('--enforce-policy must be true or false');
  if (problems.length) throw new Error(problems.join('; '));
  const kc = new KubeConfig();
  if (values.kubeconfig) kc.loadFromFile(values.kubeconfig);
  else if (env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else kc.loadFromDefault();
  return {
    kc,
    nodeName,
    socket: values.socket,
    healthAddress: values['health-address'],
    healthPort,
    resyncMs: resync * 1000,
    runner: new Runner(),
    log: (m) => console.error(`fedmesh-node: ${m}`),
    // MeshNetworkPolicies of this cluster, enforced on this node's pods once the view is complete.
    ...(enforce === 'true' && { policy: { source: new PolicyWatch(kc, Core.load(), nodeName) } }),
  };
}

/** main runs fedmesh-node until SIGTERM or SIGINT and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'cleanup') {
    await new Reconciler(new Runner()).remove();
    await new PolicyApplier(new Runner()).remove();
    console.error('fedmesh-node: removed the VXLAN device, routes and nft tables fedmesh owned');
    return 0;
  }
  let config: AgentConfig;
  try {
    config = complete(argv, process.env);
  } catch (err) {
    console.error(`fedmesh-node: ${(err as Error).message}`);
    return 2;
  }
  const agent = new Agent(config);
  await agent.start();
  config.log(
    `node ${config.nodeName}: serving health on ${config.healthAddress}:${agent.port}, CNI on ${config.socket}`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  await agent.stop();
  return 0;
}
