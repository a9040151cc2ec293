// plugin.ts: fedmesh-cni, the chained CNI plugin. ADD registers the pod with fedmesh-node, sets
// the overlay MTU on the pod and passes prevResult through; CHECK verifies both; DEL unregisters
// as best it can and never fails; STATUS reports whether fedmesh-node can serve ADD; GC tells it
// which attachments are still valid; VERSION lists the spec versions.
import { ask as askAgent, DEFAULT_SOCKET, type Reply, type Request } from './protocol.js';
import { podMTU, setPodMTU } from './mtu.js';
import {
  CniError,
  Codes,
  LATEST,
  parseArgs,
  parseConf,
  SUPPORTED_VERSIONS,
  type CniEnv,
  type NetConf,
  type Result,
} from './spec.js';

/** PluginDeps are the plugin's effects (the agent socket, the MTU), replaceable in tests. */
export interface PluginDeps {
  ask(socket: string, req: Request, timeoutMs: number): Promise<Reply>;
  setPodMTU: typeof setPodMTU;
  podMTU: typeof podMTU;
}

const realDeps: PluginDeps = { ask: askAgent, setPodMTU, podMTU };

/** handle runs one CNI command and returns what to print on stdout; errors are CniErrors. */
export async function handle(env: CniEnv, stdin: string, deps: PluginDeps = realDeps): Promise<string> {
  if (env.command === 'VERSION') return version(stdin);
  const conf = parseConf(stdin);
  const socket = conf.socket ?? DEFAULT_SOCKET;
  switch (env.command) {
    case 'ADD':
      return add(env, conf, socket, deps);
    case 'CHECK':
      await check(env, conf, socket, deps);
      return '';
    case 'DEL':
      // DEL never fails: the agent may be stopped, the netns gone, the ADD never done.
      await deps.ask(socket, { op: 'del', attachment: attachment(env) }, 2000).catch(() => undefined);
      return '';
    case 'STATUS':
      await agent(deps, socket, { op: 'status' }, Codes.notAvailable);
      return '';
    case 'GC':
      await deps
        .ask(socket, { op: 'gc', network: conf.name, valid: conf['cni.dev/valid-attachments'] ?? [] }, 5000)
        .catch(() => undefined);
      return '';
    default:
      throw new CniError(Codes.invalidEnv, `unknown CNI_COMMAND ${JSON.stringify(env.command)}`);
  }
}

function version(stdin: string): string {
  let asked: unknown;
  try {
    asked = (JSON.parse(stdin || '{}') as { cniVersion?: unknown }).cniVersion;
  } catch {
    asked = undefined;
  }
  const v =
    typeof asked === 'string' && (SUPPORTED_VERSIONS as readonly string[]).includes(asked) ? asked : LATEST;
  return JSON.stringify({ cniVersion: v, supportedVersions: SUPPORTED_VERSIONS });
}

function attachment(env: CniEnv): { containerID: string; ifname: string } {
  return { containerID: env.containerID, ifname: env.ifname };
}

function requireEnv(env: CniEnv): void {
  const missing = (['containerID', 'netns', 'ifname'] as const).filter((k) => !env[k]);
  if (missing.length)
    throw new CniError(
      Codes.invalidEnv,
      `missing ${missing.map((k) => `CNI_${k.toUpperCase()}`).join(', ')}`,
    );
}

function requirePrev(conf: NetConf): Result {
  if (!conf.prevResult || typeof conf.prevResult !== 'object')
    throw new CniError(
      Codes.invalidConfig,
      'fedmesh-cni must be chained: no prevResult',
      'put fedmesh-cni after the primary plugin in a conflist',
    );
  return conf.prevResult;
}

// agent asks fedmesh-node, turning an unreachable or refusing agent into a CniError with code.
async function agent(
  deps: PluginDeps,
  socket: string,
  req: Request,
  code: number,
): Promise<Reply & { ok: true }> {
  let reply: Reply;
  try {
    reply = await deps.ask(socket, req, 5000);
  } catch (err) {
    throw new CniError(code, `fedmesh-node is not available on ${socket}`, (err as Error).message);
  }
  if (!reply.ok) throw new CniError(code, `fedmesh-node refused ${req.op}`, reply.error);
  return reply;
}

async function add(env: CniEnv, conf: NetConf, socket: string, deps: PluginDeps): Promise<string> {
  requireEnv(env);
  const prev = requirePrev(conf);
  const args = parseArgs(env.args);
  const pod = {
    ...attachment(env),
    network: conf.name,
    netns: env.netns,
    podNamespace: args.K8S_POD_NAMESPACE,
    podName: args.K8S_POD_NAME,
    ips: (prev.ips ?? []).map((i) => i.address),
  };
  const reply = await agent(deps, socket, { op: 'add', pod }, Codes.tryAgainLater);
  const mtu = conf.mtu ?? reply.mtu;
  if (mtu !== undefined) {
    try {
      await deps.setPodMTU(env.netns, env.ifname, mtu, prev.interfaces ?? []);
    } catch (err) {
      throw new CniError(Codes.ioFailure, `cannot set MTU ${mtu} on ${env.ifname}`, (err as Error).message);
    }
  }
  return JSON.stringify({ ...prev, cniVersion: conf.cniVersion });
}

async function check(env: CniEnv, conf: NetConf, socket: string, deps: PluginDeps): Promise<void> {
  requireEnv(env);
  requirePrev(conf);
  const reply = await agent(deps, socket, { op: 'check', attachment: attachment(env) }, Codes.tryAgainLater);
  const want = conf.mtu ?? reply.mtu;
  if (want === undefined) return;
  const got = await deps.podMTU(env.netns, env.ifname).catch((err: Error) => {
    throw new CniError(Codes.ioFailure, `cannot read ${env.ifname} in ${env.netns}`, err.message);
  });
  if (got !== want)
    throw new CniError(Codes.mtuMismatch, `${env.ifname} has MTU ${got}, the overlay needs ${want}`);
}
