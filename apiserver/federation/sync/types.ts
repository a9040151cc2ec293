// types.ts: the shapes the sync engine's modules share: what to sync (SyncKind) and what a watch
// delivers (WatchEvent).
import type { KubernetesObject } from '@kubernetes/client-node';
import type { SourceChange } from '../../mesh/kinds/index.js';
import type { RemoteStatus } from './errors.js';

/** SyncKind is one resource a syncer mirrors: where to list/watch it and where changes go. */
export interface SyncKind<T extends KubernetesObject = KubernetesObject> {
  /** name is the plural resource name used in state and logs, e.g. "pods". */
  name: string;
  /** path is the collection path across namespaces, e.g. "/api/v1/pods". */
  path: string;
  /** labelSelector and fieldSelector narrow what is synced (export scoping). */
  labelSelector?: string;
  fieldSelector?: string;
  /** optional kinds may be absent from a cluster (a CRD not installed): a 404 lists as empty, and
   * the syncer looks again with backoff until the resource appears. */
  optional?: boolean;
  /** apply receives one batch per list and per burst of watch events (never empty). */
  apply(changes: SourceChange<T>[]): void;
}

/** Obj is any synced object. */
export type Obj = KubernetesObject;
/** WatchEvent is one decoded watch event. */
export type WatchEvent = { type: string; object: Obj & RemoteStatus };
