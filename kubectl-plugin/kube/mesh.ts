// mesh.ts: reads of fedmesh's own objects that several commands share (the APIService, the
// RemoteClusterConfigurations, MeshConfiguration default), with the names defined once.
import { ApiregistrationV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig, V1APIService } from '@kubernetes/client-node';
import {
  APISERVICE_NAME,
  CONFIG_GROUP,
  CONFIG_VERSION,
  MESH_CONFIGURATION_NAME,
  MESH_CONFIGURATIONS,
  REMOTE_CLUSTER_CONFIGURATIONS,
  type MeshConfiguration,
  type RemoteClusterConfiguration,
} from '../../api/index.js';
import { isNotFound, statusError } from './status.js';

export type { Condition } from '../../api/index.js';

/** MESH names fedmesh's fixed objects. */
export const MESH = {
  apiService: APISERVICE_NAME,
  namespace: 'fedmesh',
  deployment: 'fedmesh-apiserver',
  daemonSet: 'fedmesh-node',
  service: 'fedmesh-apiserver',
  serviceAccount: 'fedmesh-apiserver',
  servingSecret: 'fedmesh-apiserver-serving',
  configGroup: CONFIG_GROUP,
  configVersion: CONFIG_VERSION,
} as const;

/** RCC is a RemoteClusterConfiguration as read from the API. */
export type RCC = RemoteClusterConfiguration;

/** condition returns the condition of the given type, if present. */
export function condition<C extends { type: string }>(
  conds: readonly C[] | undefined,
  type: string,
): C | undefined {
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
  const list = (await listConfig(kc, REMOTE_CLUSTER_CONFIGURATIONS.plural)) as { items?: RCC[] };
  return (list.items ?? []).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/** getLocalClusterName reads spec.clusterName of MeshConfiguration default, if any. */
export async function getLocalClusterName(kc: KubeConfig): Promise<string | undefined> {
  const list = (await listConfig(kc, MESH_CONFIGURATIONS.plural)) as { items?: MeshConfiguration[] };
  return list.items?.find((m) => m.metadata.name === MESH_CONFIGURATION_NAME)?.spec?.clusterName;
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
