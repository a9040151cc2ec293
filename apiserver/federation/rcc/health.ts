// health.ts: the health of one cluster's sync, as the RCC controller sees it; the status writer
// and the metrics turn it into RemoteClusterConfiguration status and gauges.
import type { ConnectedReason, Permission } from '../../../api/index.js';
import type { IPConflict } from '../../mesh/clusterbook.js';

/** Problem is a failure with a machine reason and a message for people. */
export interface Problem {
  reason: ConnectedReason;
  message: string;
  /** permission is what the remote reader lacks (reason Forbidden), for tools that grant it. */
  permission?: Permission;
}

/** ClusterHealth is everything the status of one remote cluster is built from. */
export interface ClusterHealth {
  configError?: Problem;
  connected: boolean;
  synced: boolean;
  lastError?: Problem;
  stale: boolean;
  disconnectedSince?: Date;
  removeAt?: Date;
  counts: { workloads: number; hosts: number };
  lastSyncTime?: Date;
  conflicts: IPConflict[];
}
