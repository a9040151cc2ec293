// spec.ts: the parts of the CNI specification fedmesh-cni speaks: versions, the network
// configuration it receives, results and error codes.

/** SUPPORTED_VERSIONS are the CNI spec versions fedmesh-cni implements. */
export const SUPPORTED_VERSIONS = ['0.4.0', '1.0.0', '1.1.0'] as const;
/** LATEST is the newest supported version. */
export const LATEST = '1.1.0';

/** Codes are the CNI error codes fedmesh-cni answers with (1-99 are the spec's). */
export const Codes = {
  incompatibleVersion: 1,
  invalidEnv: 4,
  ioFailure: 5,
  decodeFailure: 6,
  invalidConfig: 7,
  tryAgainLater: 11,
  notAvailable: 50,
  /** mtuMismatch is fedmesh-cni's own: CHECK found the pod interface with another MTU. */
  mtuMismatch: 100,
} as const;

/** CniError is an error answered as CNI error JSON. */
export class CniError extends Error {
  constructor(
    readonly code: number,
    msg: string,
    readonly details?: string,
  ) {
    super(msg);
    this.name = 'CniError';
  }
}

/** ResultInterface is one interface of a CNI result. */
export interface ResultInterface {
  name: string;
  mac?: string;
  mtu?: number;
  sandbox?: string;
}

/** Result is a CNI result (prevResult), passed through with its other fields intact. */
export interface Result {
  cniVersion?: string;
  interfaces?: ResultInterface[];
  ips?: { address: string; gateway?: string; interface?: number }[];
  [key: string]: unknown;
}

/** NetConf is fedmesh-cni's plugin configuration as the runtime sends it. */
export interface NetConf {
  cniVersion: string;
  name: string;
  type: string;
  /** socket of fedmesh-node (default /run/fedmesh/cni.sock). */
  socket?: string;
  /** mtu overrides the MTU fedmesh-node reports. */
  mtu?: number;
  prevResult?: Result;
  'cni.dev/valid-attachments'?: { containerID: string; ifname: string }[];
  [key: string]: unknown;
}

/** CniEnv is the CNI_* environment of one call. */
export interface CniEnv {
  command: string;
  containerID: string;
  netns: string;
  ifname: string;
  args: string;
}

/** cniEnv reads the CNI environment variables. */
export function cniEnv(env: NodeJS.ProcessEnv): CniEnv {
  return {
    command: env.CNI_COMMAND ?? '',
    containerID: env.CNI_CONTAINERID ?? '',
    netns: env.CNI_NETNS ?? '',
    ifname: env.CNI_IFNAME ?? '',
    args: env.CNI_ARGS ?? '',
  };
}

/** parseArgs reads CNI_ARGS (K=V;K=V). */
export function parseArgs(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of args.split(';')) {
    const i = kv.indexOf('=');
    if (i > 0) out[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return out;
}

/** parseConf decodes and checks the configuration on stdin. */
export function parseConf(stdin: string): NetConf {
  let v: unknown;
  try {
    v = JSON.parse(stdin);
  } catch (err) {
    throw new CniError(
      Codes.decodeFailure,
      'cannot decode the network configuration',
      (err as Error).message,
    );
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new CniError(Codes.decodeFailure, 'the network configuration is not a JSON object');
  const conf = v as NetConf;
  if (
    typeof conf.cniVersion !== 'string' ||
    !(SUPPORTED_VERSIONS as readonly string[]).includes(conf.cniVersion)
  )
    throw new CniError(
      Codes.incompatibleVersion,
      `incompatible CNI version ${JSON.stringify(conf.cniVersion)}`,
      `fedmesh-cni supports ${SUPPORTED_VERSIONS.join(', ')}`,
    );
  if (conf.mtu !== undefined && (!Number.isInteger(conf.mtu) || conf.mtu < 576 || conf.mtu > 65535))
    throw new CniError(
      Codes.invalidConfig,
      `invalid mtu ${JSON.stringify(conf.mtu)}`,
      'mtu must be 576 to 65535',
    );
  return conf;
}
