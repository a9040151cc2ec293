// run.ts: small pieces the server needs at start: the local cluster's mesh name and the label
// selector compiler of the REST layer (Calico selectors through the WASM core).
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { MESH_CONFIGURATION_NAME, MESH_CONFIGURATIONS, type MeshConfiguration } from '../api/index.js';
import { SelectorError, type Core } from '../core/index.js';
import type { Logger } from './log.js';
import type { SelectorCompiler } from './rest/filter.js';
import { badRequest } from './status.js';

/** selectorCompiler compiles label selectors of list and watch requests with the core. */
export function selectorCompiler(core: Core): SelectorCompiler {
  return (calico) => {
    try {
      const s = core.parse(calico);
      return { matches: (labels) => s.matches(labels), dispose: () => s.dispose() };
    } catch (e) {
      if (e instanceof SelectorError) throw badRequest(`invalid label selector: ${e.reason}`);
      throw e;
    }
  };
}

/** resolveClusterName prefers MeshConfiguration "default" spec.clusterName over the flag. */
export async function resolveClusterName(kc: KubeConfig, flag: string, log: Logger): Promise<string> {
  try {
    const { group, version, plural } = MESH_CONFIGURATIONS;
    const mc = (await kc.makeApiClient(CustomObjectsApi).getClusterCustomObject({
      group,
      version,
      plural,
      name: MESH_CONFIGURATION_NAME,
    })) as MeshConfiguration;
    if (mc.spec?.clusterName) return mc.spec.clusterName;
  } catch (err) {
    const code = (err as { code?: number }).code;
    if (code !== 404)
      log.warn('cannot read MeshConfiguration default; using --cluster-name', {
        error: String((err as Error).message ?? err).slice(0, 200),
      });
  }
  return flag;
}
