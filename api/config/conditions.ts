// conditions.ts: the condition types and reasons of a RemoteClusterConfiguration's status, as
// unions, so every writer and reader (kubectl mesh diagnose) handles each one at compile time.
import type { Condition } from '../meta.js';

/** RCCConditionType is a condition type of a RemoteClusterConfiguration. */
export type RCCConditionType = 'Connected' | 'Synced' | 'Stale' | 'IPConflict';

/** SyncErrorReason is why a remote cluster cannot be synced (Connected=False). */
export type SyncErrorReason =
  'InvalidKubeconfig' | 'Unreachable' | 'CertificateMismatch' | 'Unauthorized' | 'Forbidden' | 'Unknown';

/** ConfigErrorReason is why a RemoteClusterConfiguration cannot be used as written (Connected=False). */
export type ConfigErrorReason =
  'InvalidSpec' | 'SecretNotFound' | 'SecretOutsideNamespace' | 'UnsupportedDatastore' | 'SecretMissingKey';

/** ConnectedReason is a reason of the Connected condition. */
export type ConnectedReason = 'Connected' | 'Connecting' | SyncErrorReason | ConfigErrorReason;
/** SyncedReason is a reason of the Synced condition. */
export type SyncedReason = 'Synced' | 'Syncing' | 'NotConnected' | 'WatchInterrupted';
/** StaleReason is a reason of the Stale condition. */
export type StaleReason = 'Current' | 'Disconnected';
/** IPConflictReason is a reason of the IPConflict condition. */
export type IPConflictReason = 'NoConflict' | 'OverlappingPodIPs';

/** RCCConditionReason is any reason a RemoteClusterConfiguration condition can have. */
export type RCCConditionReason = ConnectedReason | SyncedReason | StaleReason | IPConflictReason;

/** RCCCondition is a condition of a RemoteClusterConfiguration. */
export type RCCCondition = Condition<RCCConditionType, RCCConditionReason>;

/** RCC_CONDITION_REASONS lists every reason, so readers can check a reason they received. */
export const RCC_CONDITION_REASONS: readonly RCCConditionReason[] = [
  'Connected',
  'Connecting',
  'InvalidKubeconfig',
  'Unreachable',
  'CertificateMismatch',
  'Unauthorized',
  'Forbidden',
  'Unknown',
  'InvalidSpec',
  'SecretNotFound',
  'SecretOutsideNamespace',
  'UnsupportedDatastore',
  'SecretMissingKey',
  'Synced',
  'Syncing',
  'NotConnected',
  'WatchInterrupted',
  'Current',
  'Disconnected',
  'NoConflict',
  'OverlappingPodIPs',
];

/** isRCCConditionReason tells a known reason from one a newer server may send. */
export const isRCCConditionReason = (r: string): r is RCCConditionReason =>
  (RCC_CONDITION_REASONS as readonly string[]).includes(r);
