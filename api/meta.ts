// meta.ts: the k8s.io/apimachinery meta/v1 shapes fedmesh objects carry. Hand-written, because
// every object fedmesh serves or reads has a name (upstream's ObjectMeta makes it optional for
// generateName), and condition types and reasons narrow to unions per kind.

/** ObjectMeta is the subset of metav1.ObjectMeta fedmesh objects carry. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** ListMeta is metav1.ListMeta. */
export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

/** ConditionStatus is the status of a metav1.Condition. */
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** Condition is a metav1.Condition, with its type and reason narrowed by the kind that uses it. */
export interface Condition<T extends string = string, R extends string = string> {
  type: T;
  status: ConditionStatus;
  reason: R;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** TypeMeta is apiVersion and kind. */
export interface TypeMeta {
  apiVersion: string;
  kind: string;
}
