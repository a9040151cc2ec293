// client.ts: the plugin's one way to reach a cluster: kubeconfig loading with kubectl's rules
// (--kubeconfig, then $KUBECONFIG, then ~/.kube/config; --context overrides the current context),
// and server-side apply and deletion of plain objects.
import { KubeConfig } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { GlobalOptions } from '../cli/command.js';
import { CliError } from '../cli/errors.js';
import { Discovery } from './discovery.js';
import { request, withRequestTimeout } from './request.js';
import { isNotFound, statusError } from './status.js';

/** Kube is a loaded kubeconfig with the context in use and its API server URL. */
export interface Kube {
  kc: KubeConfig;
  context: string;
  server: string;
}

/** loadKube loads the kubeconfig the way kubectl does and selects --context if given. */
export function loadKube(
  global: Pick<GlobalOptions, 'kubeconfig' | 'context'> & Partial<Pick<GlobalOptions, 'requestTimeoutMs'>>,
): Kube {
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
  if (global.requestTimeoutMs) withRequestTimeout(kc, global.requestTimeoutMs);
  return { kc, context, server };
}

/** Obj is any object to apply or delete: apiVersion, kind, metadata and whatever else it has. */
export type Obj = KubernetesObject & Record<string, unknown>;

/** ApplyOptions tune apply. */
export interface ApplyOptions {
  fieldManager: string;
  /** dryRun sends the request with dryRun=All: the server validates and changes nothing. */
  dryRun?: boolean;
}

/** apply server-side applies each object in order (force: this manager owns the fields it sets). */
export async function apply(
  kc: KubeConfig,
  objects: readonly (KubernetesObject | Obj)[],
  opts: ApplyOptions,
): Promise<KubernetesObject[]> {
  const disco = new Discovery(kc);
  const out: KubernetesObject[] = [];
  const query = new URLSearchParams({ fieldManager: opts.fieldManager, force: 'true' });
  if (opts.dryRun) query.set('dryRun', 'All');
  for (const obj of objects) {
    try {
      const path = await disco.path(obj);
      const r = await request(
        kc,
        'PATCH',
        `${path}?${query.toString()}`,
        obj,
        'application/apply-patch+yaml',
      );
      out.push(r.body as KubernetesObject);
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

/** remove deletes each object in order; objects (or kinds) already gone are fine. Returns what it deleted. */
export async function remove(
  kc: KubeConfig,
  objects: readonly (KubernetesObject | Obj)[],
): Promise<KubernetesObject[]> {
  const disco = new Discovery(kc);
  const deleted: KubernetesObject[] = [];
  for (const obj of objects) {
    try {
      const path = await disco.path(obj);
      await request(kc, 'DELETE', path, {
        kind: 'DeleteOptions',
        apiVersion: 'v1',
        propagationPolicy: 'Background',
      });
      deleted.push(obj);
    } catch (err) {
      if (isNotFound(err)) continue;
      throw statusError(err, `deleting ${describe(obj)}`);
    }
  }
  return deleted;
}
