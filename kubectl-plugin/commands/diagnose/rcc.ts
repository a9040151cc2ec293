// rcc.ts: the checks of one RemoteClusterConfiguration, with a fix for each condition reason. The
// reasons come from api/ as a union, so a reason added there without a fix here does not compile.
import {
  isRCCConditionReason,
  type Permission,
  type RCCConditionReason,
  type RCCConditionType,
} from '../../../api/index.js';
import { condition, type Condition, type RCC } from '../../kube/index.js';
import { fail, ok, warn, type Result } from './result.js';

const reconnect = (name: string): string =>
  `kubectl mesh connect --to-context <context of ${name}> --name ${name}   # re-creates its credential and Secret`;
const describe = (n: string): string => `kubectl describe rcc ${n}`;

type Fix = (name: string, rcc: RCC) => string;

// FIXES gives the next step for every reason a RemoteClusterConfiguration condition can have.
const FIXES: Record<RCCConditionReason, Fix> = {
  CertificateMismatch: (n) =>
    `the Secret's certificate-authority-data does not match the remote API server; ${reconnect(n)}`,
  Unauthorized: (n) => `the remote token expired or was revoked; ${reconnect(n)}`,
  Forbidden: (n, rcc) =>
    `grant the reader in the remote cluster ${missing(rcc.status?.missingPermission)}, or ${reconnect(n)} (it creates the least-privilege ClusterRole)`,
  Unreachable: (n) =>
    `check the server URL in the access Secret of ${n} and that this cluster can reach it: ${describe(n)}`,
  InvalidKubeconfig: (n) => reconnect(n),
  Unknown: describe,
  SecretNotFound: (n) => reconnect(n),
  SecretOutsideNamespace: (n) => reconnect(n),
  SecretMissingKey: (n) => reconnect(n),
  UnsupportedDatastore: (n) => reconnect(n),
  InvalidSpec: (n) => `set spec.clusterAccessSecret name and namespace: kubectl edit rcc ${n}`,
  Syncing: (n) => `wait for the initial list to finish: kubectl mesh status -w   (or ${describe(n)})`,
  Connecting: (n) => `wait, then: ${describe(n)}`,
  NotConnected: (n) => `fix the Connected condition first: ${describe(n)}`,
  WatchInterrupted: (n) =>
    `the remote cluster stopped answering; fix the Connected condition: ${describe(n)}`,
  Disconnected: (n) => `reconnect the cluster before its endpoints are removed: ${describe(n)}`,
  OverlappingPodIPs: () =>
    'pod CIDRs of meshed clusters must not overlap; re-address one cluster or disconnect it',
  Connected: describe,
  Synced: describe,
  Current: describe,
  NoConflict: describe,
};

function missing(p: Permission | undefined): string {
  if (!p) return 'the permission named in the message';
  return `"${p.verb} ${p.group ? `${p.resource}.${p.group}` : p.resource} at the cluster scope"`;
}

// A reason from a newer fedmesh-apiserver than this plugin has no fix of its own.
function fixFor(rcc: RCC, c: Condition): string {
  const name = rcc.metadata.name;
  return isRCCConditionReason(c.reason) ? FIXES[c.reason](name, rcc) : describe(name);
}

/** rccChecks checks Connected, Synced and IPConflict of one remote cluster. */
export function rccChecks(rcc: RCC): Result[] {
  const name = rcc.metadata.name;
  const conds = rcc.status?.conditions;
  if (!conds?.length)
    return [
      fail(`remote cluster ${name}: no status yet (is fedmesh-apiserver running?)`, 'kubectl mesh install'),
    ];
  const out: Result[] = [];
  for (const type of ['Connected', 'Synced'] satisfies RCCConditionType[]) {
    const c = condition(conds, type);
    if (c?.status === 'True') out.push(ok(`remote cluster ${name}: ${type}`));
    else if (c)
      out.push(
        fail(
          `remote cluster ${name}: not ${type} (${c.reason || 'Unknown'}): ${c.message ?? ''}`,
          fixFor(rcc, c),
        ),
      );
    else out.push(warn(`remote cluster ${name}: no ${type} condition yet`, describe(name)));
  }
  const ipc = condition(conds, 'IPConflict');
  if (ipc?.status === 'True')
    out.push(
      fail(`remote cluster ${name}: ${ipc.reason || 'IPConflict'}: ${ipc.message ?? ''}`, fixFor(rcc, ipc)),
    );
  return out;
}
