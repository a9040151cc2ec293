// discovery.ts: maps an object's apiVersion and kind to its REST path (plural, namespaced), with
// one cached discovery request per group version.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { ApiError, request } from './request.js';

interface APIResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/** Discovery resolves REST paths for one kubeconfig; make one per command run. */
export class Discovery {
  readonly #kc: KubeConfig;
  readonly #lists = new Map<string, APIResource[]>();

  constructor(kc: KubeConfig) {
    this.#kc = kc;
  }

  /** path is the object's URL path, e.g. /apis/apps/v1/namespaces/fedmesh/deployments/x; 404 if the kind is not served. */
  async path(obj: KubernetesObject): Promise<string> {
    const gv = obj.apiVersion ?? '';
    const res = (await this.#resources(gv)).find((r) => r.kind === obj.kind && !r.name.includes('/'));
    if (!res) throw notServed(gv, obj.kind ?? '');
    const prefix = gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`;
    const ns = res.namespaced ? `/namespaces/${obj.metadata?.namespace ?? 'default'}` : '';
    return `${prefix}${ns}/${res.name}/${encodeURIComponent(obj.metadata?.name ?? '')}`;
  }

  async #resources(gv: string): Promise<APIResource[]> {
    let list = this.#lists.get(gv);
    if (list) return list;
    try {
      const r = await request(this.#kc, 'GET', gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`);
      list = (r.body as { resources?: APIResource[] } | undefined)?.resources ?? [];
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) throw notServed(gv, '');
      throw err;
    }
    this.#lists.set(gv, list);
    return list;
  }
}

function notServed(gv: string, kind: string): ApiError {
  const what = kind ? `${kind} in ${gv}` : gv;
  return new ApiError(
    404,
    JSON.stringify({
      kind: 'Status',
      reason: 'NotFound',
      code: 404,
      message: `the server does not serve ${what}`,
    }),
  );
}
