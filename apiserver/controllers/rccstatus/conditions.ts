// conditions.ts: RemoteClusterConfiguration status from a cluster's health: the Connected,
// Synced, Stale and IPConflict conditions with reasons and messages a user can act on, the
// missing permission when Forbidden, endpoint counts and last sync time.
import type { RCCCondition, RemoteClusterConfigurationStatus } from '../../../api/index.js';
import type { ClusterHealth } from '../../federation/rcc/health.js';
import type { CredentialState } from '../credentials/rotator.js';

type Pending = Omit<RCCCondition, 'lastTransitionTime'>;

const iso = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function connected(h: ClusterHealth): Pending {
  if (h.configError) return { type: 'Connected', status: 'False', ...h.configError };
  if (h.connected)
    return {
      type: 'Connected',
      status: 'True',
      reason: 'Connected',
      message: 'the remote kube-apiserver answers with the configured credential',
    };
  if (h.lastError) return { type: 'Connected', status: 'False', ...h.lastError };
  return {
    type: 'Connected',
    status: 'Unknown',
    reason: 'Connecting',
    message: 'connecting to the remote cluster',
  };
}

function synced(h: ClusterHealth): Pending {
  const what = `${h.counts.workloads} workload endpoints and ${h.counts.hosts} host endpoints`;
  if (h.synced && h.connected)
    return {
      type: 'Synced',
      status: 'True',
      reason: 'Synced',
      message: `${what} synced; watching for changes`,
    };
  if (h.configError)
    return {
      type: 'Synced',
      status: 'False',
      reason: 'NotConnected',
      message: 'fix the Connected condition first',
    };
  if (h.synced)
    return {
      type: 'Synced',
      status: 'False',
      reason: 'WatchInterrupted',
      message: `${what} kept from the last sync; resyncing when the cluster is reachable`,
    };
  return { type: 'Synced', status: 'False', reason: 'Syncing', message: 'listing the remote cluster' };
}

function stale(h: ClusterHealth): Pending {
  if (!h.stale)
    return { type: 'Stale', status: 'False', reason: 'Current', message: 'endpoints are current' };
  const since = h.disconnectedSince ? ` since ${iso(h.disconnectedSince)}` : '';
  const until = h.removeAt ? `; they are removed at ${iso(h.removeAt)} unless the cluster reconnects` : '';
  return {
    type: 'Stale',
    status: 'True',
    reason: 'Disconnected',
    message: `disconnected${since}: ${h.counts.workloads} workload and ${h.counts.hosts} host endpoints are kept with status.stale=true${until}`,
  };
}

function ipConflict(h: ClusterHealth): Pending {
  if (h.conflicts.length === 0)
    return {
      type: 'IPConflict',
      status: 'False',
      reason: 'NoConflict',
      message: 'no pod IP of this cluster is used by another cluster',
    };
  const sample = h.conflicts
    .slice(0, 3)
    .map((c) => `${c.ip} (${c.endpoints.map((e) => `${e.cluster}:${e.key}`).join(', ')})`);
  return {
    type: 'IPConflict',
    status: 'True',
    reason: 'OverlappingPodIPs',
    message: `${h.conflicts.length}${h.conflicts.length >= 100 ? '+' : ''} pod IPs are claimed in more than one cluster, e.g. ${sample.join('; ')}; pod CIDRs of meshed clusters must not overlap`,
  };
}

/** statusFor builds the status object, keeping lastTransitionTime of unchanged conditions. */
export function statusFor(
  h: ClusterHealth,
  prev: RemoteClusterConfigurationStatus['conditions'],
  generation: number | undefined,
  now: Date,
  credential?: CredentialState,
): RemoteClusterConfigurationStatus {
  const conditions = [connected(h), synced(h), stale(h), ipConflict(h)].map((c): RCCCondition => {
    const old = prev?.find((p) => p.type === c.type);
    const lastTransitionTime = old && old.status === c.status ? old.lastTransitionTime : iso(now);
    return {
      ...c,
      lastTransitionTime,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
    };
  });
  const status: RemoteClusterConfigurationStatus = { conditions, endpoints: h.counts };
  if (h.lastSyncTime) status.lastSyncTime = iso(h.lastSyncTime);
  const permission = (h.configError ?? h.lastError)?.permission;
  if (permission) status.missingPermission = permission;
  if (credential) status.credential = credentialStatus(credential);
  return status;
}

function credentialStatus(c: CredentialState): NonNullable<RemoteClusterConfigurationStatus['credential']> {
  const out: NonNullable<RemoteClusterConfigurationStatus['credential']> = {};
  if (c.expires) out.expirationTime = iso(c.expires);
  if (c.rotated) out.lastRotationTime = iso(c.rotated);
  if (c.error) out.lastRotationError = c.error;
  return out;
}
