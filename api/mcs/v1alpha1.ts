// v1alpha1.ts: the Kubernetes Multi-Cluster Services API (KEP-1645, group multicluster.x-k8s.io,
// version v1alpha1 as the ecosystem serves it) as fedmesh reads and writes it: ServiceExport and
// ServiceImport, the upstream condition types and reasons, and the well-known labels and the
// derived-Service naming of the upstream reference controller. Hand-written from the upstream
// CRDs fedmesh ships unchanged (manifests/crds/multicluster.x-k8s.io_*.yaml). Types and names only.
import { createHash } from 'node:crypto';
import type { Condition, ObjectMeta } from '../meta.js';

/** MCS_GROUP is the API group of the Multi-Cluster Services API. */
export const MCS_GROUP = 'multicluster.x-k8s.io';
/** MCS_VERSION is the version fedmesh reads and writes. */
export const MCS_VERSION = 'v1alpha1';
/** MCS_GROUP_VERSION is apiVersion of ServiceExport and ServiceImport. */
export const MCS_GROUP_VERSION = `${MCS_GROUP}/${MCS_VERSION}`;
/** SERVICE_EXPORTS names the ServiceExport resource. */
export const SERVICE_EXPORTS = { kind: 'ServiceExport', plural: 'serviceexports' } as const;
/** SERVICE_IMPORTS names the ServiceImport resource. */
export const SERVICE_IMPORTS = { kind: 'ServiceImport', plural: 'serviceimports' } as const;

/** MCS_SERVICE_NAME_LABEL names the exported Service on derived Services and their EndpointSlices. */
export const MCS_SERVICE_NAME_LABEL = 'multicluster.kubernetes.io/service-name';
/** DERIVED_SERVICE_ANNOTATION on a ServiceImport names its derived Service (upstream convention). */
export const DERIVED_SERVICE_ANNOTATION = 'multicluster.kubernetes.io/derived-service';

/** derivedServiceName is upstream's name of the Service that carries an import for kube-proxy:
 * "derived-" and the first 10 characters of base32hex(sha256("<namespace>/<name>")), lower case. */
export function derivedServiceName(namespace: string, name: string): string {
  const sum = createHash('sha256').update(`${namespace}/${name}`).digest();
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of sum) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 10) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length >= 10) break;
  }
  return `derived-${out}`;
}

/** ExportConditionType is a ServiceExport condition type. */
export type ExportConditionType = 'Valid' | 'Ready' | 'Conflict';
/** ExportConditionReason is an upstream ServiceExport condition reason (conflict reasons may be
 * joined with commas when several apply). */
export type ExportConditionReason =
  | 'Valid'
  | 'NoService'
  | 'InvalidServiceType'
  | 'Ready'
  | 'Pending'
  | 'Failed'
  | 'NoConflicts'
  | 'PortConflict'
  | 'TypeConflict'
  | 'SessionAffinityConflict'
  | 'SessionAffinityConfigConflict'
  | (string & {});

/** ServiceExport declares that the same-named Service should be consumable from other clusters. */
export interface ServiceExport {
  apiVersion: string;
  kind: 'ServiceExport';
  metadata: ObjectMeta;
  spec?: { exportedLabels?: Record<string, string>; exportedAnnotations?: Record<string, string> };
  status?: { conditions?: Condition<ExportConditionType, ExportConditionReason>[] };
}

/** ServiceImportType is ClusterSetIP (a virtual IP) or Headless. */
export type ServiceImportType = 'ClusterSetIP' | 'Headless';

/** ImportPort is a port of a ServiceImport. */
export interface ImportPort {
  name?: string;
  protocol?: string;
  appProtocol?: string;
  port: number;
}

/** SessionAffinityConfig is core/v1's, as a ServiceImport carries it. */
export interface SessionAffinityConfig {
  clientIP?: { timeoutSeconds?: number };
}

/** ServiceImport describes a service imported from the clusters of the clusterset. */
export interface ServiceImport {
  apiVersion: string;
  kind: 'ServiceImport';
  metadata: ObjectMeta;
  spec: {
    type: ServiceImportType;
    ports: ImportPort[];
    ips?: string[];
    sessionAffinity?: string;
    sessionAffinityConfig?: SessionAffinityConfig;
  };
  status?: { clusters?: { cluster: string }[] };
}
