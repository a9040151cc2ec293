// kind.ts: what a source kind contributes to the mesh store. Each kind is one small converter: it
// turns changes of its source objects in one cluster into mesh changes; the store owns keys,
// resourceVersions, staleness, epochs and events.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { FederatedEndpoint, FederatedHostEndpoint } from '../../../api/index.js';
import type { ParentUpdate } from '../../../core/index.js';
import type { MeshExport, MeshService, MeshSlice } from './compact.js';

/** SourceRef names a deleted source object. */
export interface SourceRef {
  namespace?: string;
  name: string;
}

/** SourceChange is an upsert of a source object, or the deletion of one by namespace and name. */
export type SourceChange<T> = { upsert: T } | { delete: SourceRef };

/** Observed carries the time a source version was first seen, so a relist changes nothing. */
export interface Observed {
  resourceVersion: string;
  time: string;
}

/** MeshObjects are the served objects, by the store that holds them. */
export interface MeshObjects {
  endpoints: FederatedEndpoint;
  hosts: FederatedHostEndpoint;
}

/** ObjectStoreName names one of the mesh store's object stores. */
export type ObjectStoreName = keyof MeshObjects;

/** ObjectChange upserts a derived object or deletes one by store key. */
export type ObjectChange<T> = { upsert: T } | { delete: string };

/** MeshChanges are what a batch of source changes becomes. */
export interface MeshChanges {
  endpoints?: ObjectChange<FederatedEndpoint>[];
  hosts?: ObjectChange<FederatedHostEndpoint>[];
  parents?: { upsert: ParentUpdate[]; remove: string[] };
  /** services and slices are kept in compact form, keyed cluster/namespace/name. */
  services?: ObjectChange<MeshService>[];
  slices?: ObjectChange<MeshSlice>[];
  /** exports are ServiceExports (Multi-Cluster Services), keyed cluster/namespace/name. */
  exports?: ObjectChange<MeshExport>[];
}

/** PlanContext is what a converter may ask the store while planning. */
export interface PlanContext {
  /** observed returns when a stored object was first seen at resourceVersion, or undefined when
   * it is stored at another version (or not at all). */
  observed(store: ObjectStoreName, key: string, resourceVersion: string): Observed | undefined;
  now(): Date;
}

/** MeshKind is one source kind synced from every cluster. */
export interface MeshKind<S extends KubernetesObject = KubernetesObject> {
  /** name is the plural resource name, e.g. "pods". */
  name: string;
  /** path is the collection path across namespaces, e.g. "/api/v1/pods". */
  path: string;
  /** optional kinds may be absent from a cluster (a CRD): a 404 lists as empty (see SyncKind). */
  optional?: boolean;
  /** plan converts a batch of source changes of one cluster. */
  plan(cluster: string, changes: readonly SourceChange<S>[], ctx: PlanContext): MeshChanges;
}

/** defineKind erases a kind's source type for the list of kinds (the syncer passes each kind its own objects). */
export const defineKind = <S extends KubernetesObject>(k: MeshKind<S>): MeshKind => k;

const iso = (t: Date | string | undefined): string | undefined =>
  t === undefined ? undefined : typeof t === 'string' ? t : t.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** isoTime renders a time as RFC 3339 with second precision, as Kubernetes does. */
export const isoTime = iso;

/** observedNow keeps the previous observation of an unchanged source version, else stamps now. */
export function observedNow(rv: string, prev: Observed | undefined, now: () => Date): Observed {
  if (prev?.resourceVersion === rv) return prev;
  return { resourceVersion: rv, time: iso(now())! };
}
