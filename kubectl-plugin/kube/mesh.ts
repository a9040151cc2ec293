// mesh.ts: reads of fedmesh's own objects that several commands share (the APIService, the
// RemoteClusterConfigurations, MeshConfiguration default), with the names defined once.
import { ApiregistrationV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig, V1APIService } from '@kubernetes/client-node';
import { isNotFound, statusError } from './status.js';

/** MESH names fedmesh's fixed objects. */
export const MESH = {
  apiService: 'v1alpha1.federated.mesh',
  namespace: 'fedmesh',
  deployment: 'fedmesh-apiserver',
  service: 'fedmesh-apiserver',
  serviceAccount: 'fedmesh-apiserver',
  servingSecret: 'fedmesh-apiserver-serving',
  configGroup: 'config.federated.mesh',
  configVersion: 'v1alpha1',
} as const;

/** Condition is a metav1.Condition as read from an object's status. */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string | Date;
}

/** RCC is a RemoteClusterConfiguration as read from the API. */
export interface RCC {
  metadata: { name: string; creationTimestamp?: string };
  spec?: { clusterAccessSecret?: { name?: string; namespace?: string } };
  status?: {
    conditions?: Condition[];
    endpoints?: { workloads?: number; hosts?: number };
    lastSyncTime?: string;
  };
}

/** condition returns the condition of the given type, if present. */
export function condition(conds: Condition[] | undefined, type: string): Condition | undefined {
  return conds?.find((c) => c.type === type);
}

/** getAPIService reads fedmesh's APIService, or undefined when it does not exist. */
export async function getAPIService(kc: KubeConfig): Promise<V1APIService | undefined> {
  try {
    return await kc.makeApiClient(ApiregistrationV1Api).readAPIService({ name: MESH.apiService });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw statusError(err, `reading apiservice/${MESH.apiService}`);
  }
}

/** listRCCs lists the RemoteClusterConfigurations sorted by name ([] when the CRD is absent). */
export async function listRCCs(kc: KubeConfig): Promise<RCC[]> {
  const list = (await listConfig(kc, 'remoteclusterconfigurations')) as { items?: RCC[] };
  return (list.items ?? []).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/** getLocalClusterName reads spec.clusterName of MeshConfiguration default, if any. */
export async function getLocalClusterName(kc: KubeConfig): Promise<string | undefined> {
  const list = (await listConfig(kc, 'meshconfigurations')) as {
    items?: { metadata: { name: string }; spec?: { clusterName?: string } }[];
  };
  return list.items?.find((m) => m.metadata.name === 'default')?.spec?.clusterName;
}

async function listConfig(kc: KubeConfig, plural: string): Promise<unknown> {
  try {
    return (await kc
      .makeApiClient(CustomObjectsApi)
      .listClusterCustomObject({ group: MESH.configGroup, version: MESH.configVersion, plural })) as unknown;
  } catch (err) {
    if (isNotFound(err)) return { items: [] };
    throw statusError(err, `listing ${plural}.${MESH.configGroup}`);
  }
}
