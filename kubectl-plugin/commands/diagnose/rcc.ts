// rcc.ts: the checks of one RemoteClusterConfiguration, with a fix for each failure reason.
import { condition, type Condition, type RCC } from '../../kube/index.js';
import { fail, ok, warn, type Result } from './result.js';

const reconnect = (name: string): string =>
  `kubectl mesh connect --to-context <context of ${name}> --name ${name}   # re-creates its credential and Secret`;

// FIXES gives the next step per failure reason the syncer reports.
const FIXES: Record<string, (name: string, c: Condition) => string> = {
  CertificateMismatch: (n) =>
    `the Secret's certificate-authority-data does not match the remote API server; ${reconnect(n)}`,
  Unauthorized: (n) => `the remote token expired or was revoked; ${reconnect(n)}`,
  Forbidden: (n, c) =>
    `grant the reader in the remote cluster ${missing(c)}, or ${reconnect(n)} (it creates the least-privilege ClusterRole)`,
  Unreachable: (n) =>
    `check the server URL in the access Secret of ${n} and that this cluster can reach it: kubectl describe rcc ${n}`,
  SecretNotFound: (n) => reconnect(n),
  SecretMissingKey: (n) => reconnect(n),
  InvalidKubeconfig: (n) => reconnect(n),
  InvalidSpec: (n) => `set spec.clusterAccessSecret name and namespace: kubectl edit rcc ${n}`,
  Syncing: (n) =>
    `wait for the initial list to finish: kubectl mesh status -w   (or kubectl describe rcc ${n})`,
  Connecting: (n) => `wait, then: kubectl describe rcc ${n}`,
  NotConnected: (n) => `fix the Connected condition first: kubectl describe rcc ${n}`,
  OverlappingPodIPs: () =>
    'pod CIDRs of meshed clusters must not overlap; re-address one cluster or disconnect it',
};

function missing(c: Condition): string {
  const m = /missing permission: ([^;(]+)/.exec(c.message ?? '');
  return m ? `"${m[1]!.trim()}"` : 'the permission named in the message';
}

function fixFor(name: string, c: Condition): string {
  return (FIXES[c.reason ?? ''] ?? ((n: string) => `kubectl describe rcc ${n}`))(name, c);
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
  for (const type of ['Connected', 'Synced']) {
    const c = condition(conds, type);
    if (c?.status === 'True') out.push(ok(`remote cluster ${name}: ${type}`));
    else if (c)
      out.push(
        fail(
          `remote cluster ${name}: not ${type} (${c.reason ?? 'Unknown'}): ${c.message ?? ''}`,
          fixFor(name, c),
        ),
      );
    else out.push(warn(`remote cluster ${name}: no ${type} condition yet`, `kubectl describe rcc ${name}`));
  }
  const ipc = condition(conds, 'IPConflict');
  if (ipc?.status === 'True')
    out.push(
      fail(`remote cluster ${name}: ${ipc.reason ?? 'IPConflict'}: ${ipc.message ?? ''}`, fixFor(name, ipc)),
    );
  return out;
}
