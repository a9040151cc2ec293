// client.ts: the plugin's one way to reach a cluster: kubeconfig loading with kubectl's rules
// (--kubeconfig, then $KUBECONFIG, then ~/.kube/config; --context overrides the current context)
// and server-side apply of plain objects.
import { KubeConfig, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { GlobalOptions } from '../cli/command.js';
import { CliError } from '../cli/errors.js';
import { isNotFound, statusError } from './status.js';

/** Kube is a loaded kubeconfig with the context in use and its API server URL. */
export interface Kube {
  kc: KubeConfig;
  context: string;
  server: string;
}

/** loadKube loads the kubeconfig the way kubectl does and selects --context if given. */
export function loadKube(global: Pick<GlobalOptions, 'kubeconfig' | 'context'>): Kube {
  const kc = new KubeConfig();
  try {
    if (global.kubeconfig) kc.loadFromFile(global.kubeconfig);
    else kc.loadFromDefault();
  } catch (e) {
    throw new CliError('EKUBECONFIG', `cannot load kubeconfig: ${(e as Error).message}`);
  }
  if (global.context) {
    if (!kc.getContextObject(global.context))
      throw new CliError('EKUBECONFIG', `context "${global.context}" does not exist`);
    kc.setCurrentContext(global.context);
  }
  const context = kc.getCurrentContext();
  const server = kc.getCurrentCluster()?.server;
  if (!context || !server) throw new CliError('EKUBECONFIG', 'no current context is set in the kubeconfig');
  return { kc, context, server };
}

/** ApplyOptions tune apply. */
export interface ApplyOptions {
  fieldManager: string;
  /** dryRun sends the request with dryRun=All: the server validates and changes nothing. */
  dryRun?: boolean;
}

/** apply server-side applies each object in order (force: this manager owns the fields it sets). */
export async function apply(
  kc: KubeConfig,
  objects: KubernetesObject[],
  opts: ApplyOptions,
): Promise<KubernetesObject[]> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const out: KubernetesObject[] = [];
  for (const obj of objects) {
    try {
      out.push(
        await api.patch(
          obj,
          undefined,
          opts.dryRun ? 'All' : undefined,
          opts.fieldManager,
          true,
          PatchStrategy.ServerSideApply,
        ),
      );
    } catch (err) {
      throw statusError(err, `applying ${describe(obj)}`);
    }
  }
  return out;
}

/** describe names an object kubectl style: kind/name (-n namespace). */
export function describe(obj: KubernetesObject): string {
  const ns = obj.metadata?.namespace ? ` -n ${obj.metadata.namespace}` : '';
  return `${(obj.kind ?? 'object').toLowerCase()}/${obj.metadata?.name ?? ''}${ns}`;
}

/** remove deletes each object in order; objects that are already gone are fine. Returns what it deleted. */
export async function remove(kc: KubeConfig, objects: KubernetesObject[]): Promise<KubernetesObject[]> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const deleted: KubernetesObject[] = [];
  for (const obj of objects) {
    try {
      await api.delete(obj, undefined, undefined, undefined, undefined, 'Background');
      deleted.push(obj);
    } catch (err) {
      if (isNotFound(err)) continue;
      throw statusError(err, `deleting ${describe(obj)}`);
    }
  }
  return deleted;
}
