// types.ts: wire shapes shared by the REST layer and the resources.

/** ObjectMeta is the subset of metav1.ObjectMeta fedmesh objects carry. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** KObject is any Kubernetes object with apiVersion, kind and metadata. */
export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** GROUP is the API group fedmesh-apiserver serves. */
export const GROUP = 'federated.mesh';
/** VERSION is the served version of GROUP. */
export const VERSION = 'v1alpha1';
/** GROUP_VERSION is GROUP/VERSION, the apiVersion of served objects. */
export const GROUP_VERSION = `${GROUP}/${VERSION}`;
