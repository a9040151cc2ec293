// exports.ts: ServiceExports (Multi-Cluster Services, multicluster.x-k8s.io/v1alpha1) of any
// cluster, kept in compact form: which Service is exported since when, and the conditions the
// exporting cluster's fedmesh-apiserver wrote. The API is optional: a cluster without the CRD
// simply exports nothing.
import type { KubernetesObject } from '@kubernetes/client-node';
import { MCS_GROUP_VERSION, SERVICE_EXPORTS, type ServiceExport } from '../../../api/index.js';
import { serviceKey, type MeshExport } from './compact.js';
import { defineKind, isoTime } from './kind.js';

/** compactExport converts a ServiceExport of cluster. */
export function compactExport(cluster: string, e: ServiceExport): MeshExport {
  const md = e.metadata;
  return {
    cluster,
    namespace: md.namespace ?? '',
    name: md.name,
    uid: md.uid ?? '',
    created: isoTime(md.creationTimestamp) ?? '',
    resourceVersion: md.resourceVersion ?? '',
    conditions: (e.status?.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      reason: c.reason,
      message: c.message,
      lastTransitionTime: isoTime(c.lastTransitionTime) ?? '',
    })),
  };
}

/** serviceExports is the mesh kind of ServiceExports. */
export const serviceExports = defineKind<KubernetesObject>({
  name: SERVICE_EXPORTS.plural,
  path: `/apis/${MCS_GROUP_VERSION}/${SERVICE_EXPORTS.plural}`,
  optional: true,
  plan: (cluster, changes) => ({
    exports: changes.map((c) =>
      'delete' in c
        ? { delete: serviceKey(cluster, c.delete.namespace!, c.delete.name) }
        : { upsert: compactExport(cluster, c.upsert as unknown as ServiceExport) },
    ),
  }),
});
