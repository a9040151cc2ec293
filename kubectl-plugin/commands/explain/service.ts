// service.ts: `kubectl mesh explain svc NAME`: what a federated Service resolves to, cluster by
// cluster: the selector as evaluated, the backing Services selected in each cluster, the endpoints
// fedmesh wrote for each (ready or not, stale or current), and the conditions that say why
// something was left out (a port with another protocol, an invalid selector, spec.selector set).
// A Service imported through the Multi-Cluster Services API is explained by serviceimport.ts.
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { FEDERATED_SERVICES, type FederatedService } from '../../../api/index.js';
import type { Context } from '../../cli/command.js';
import { CliError } from '../../cli/errors.js';
import { isNotFound, statusError } from '../../kube/status.js';
import { explainImport } from './serviceimport.js';
import { endpointsByCluster, ownedSlices, renderClusters, type ClusterEndpoints } from './slices.js';

/** ServiceExplanation is the structured answer (-o json|yaml). */
export interface ServiceExplanation {
  service: string;
  federated: FederatedService | undefined;
  clusters: ClusterEndpoints[];
}

async function readFederated(
  kc: KubeConfig,
  namespace: string,
  name: string,
): Promise<FederatedService | undefined> {
  const r = FEDERATED_SERVICES;
  try {
    return (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: r.group,
      version: r.version,
      plural: r.plural,
      namespace,
      name,
    })) as FederatedService;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw statusError(err, `reading federatedservice ${namespace}/${name}`);
  }
}

/** explainService answers for the Service NAME in namespace: a federated Service, else an MCS import. */
export async function explainService(
  ctx: Context,
  kc: KubeConfig,
  namespace: string,
  name: string,
): Promise<number> {
  const fed = await readFederated(kc, namespace, name);
  if (fed === undefined)
    return explainImport(ctx, kc, namespace, name, () => notFederated(kc, namespace, name));
  const slices = await ownedSlices(kc, namespace, name);
  const seed = (fed.status?.clusters ?? []).map((c) => ({
    cluster: c.cluster,
    services: c.services ?? [],
    stale: c.stale ?? false,
    endpoints: [],
  }));
  const answer: ServiceExplanation = {
    service: `${namespace}/${name}`,
    federated: fed,
    clusters: endpointsByCluster(seed, slices),
  };
  if (ctx.global.output === 'json' || ctx.global.output === 'yaml') ctx.out.print(answer, []);
  else ctx.io.stdout(render(answer));
  return 0;
}

// notFederated is the error for a Service that is neither federated nor imported.
async function notFederated(kc: KubeConfig, namespace: string, name: string): Promise<never> {
  const exists = await kc
    .makeApiClient(CoreV1Api)
    .readNamespacedService({ name, namespace })
    .then(
      () => true,
      (e: unknown) => {
        if (isNotFound(e)) return false;
        throw statusError(e, `reading service ${namespace}/${name}`);
      },
    );
  throw new CliError(
    'ENOENT',
    exists
      ? `service ${namespace}/${name} is neither federated nor imported from another cluster`
      : `service ${namespace}/${name} not found`,
    undefined,
    exists
      ? `Federate it: kubectl annotate service ${name} -n ${namespace} federated.mesh/service-selector="app == 'NAME'" (and remove spec.selector), or export it from the clusters that run it (a ServiceExport named ${name}).`
      : `List them: kubectl get fsvc,serviceimports -n ${namespace}`,
  );
}

function render(a: ServiceExplanation): string {
  const f = a.federated!;
  const lines = [
    `Service ${a.service} is federated by ${f.spec.annotation ?? 'its annotation'}: ${f.spec.selector}`,
    `Evaluated as: ${f.spec.effectiveSelector || '<invalid>'} (in every cluster; federated Services are never backing Services)`,
    `Ports matched by name and protocol: ${(f.spec.ports ?? []).map((p) => `${p.name}/${p.protocol}`).join(', ') || '<none>'}`,
  ];
  for (const c of f.status?.conditions ?? [])
    if ((c.type === 'Conflict' && c.status === 'True') || (c.type !== 'Conflict' && c.status !== 'True'))
      lines.push(`${c.type}=${c.status} (${c.reason}): ${c.message}`);
  if (a.clusters.length === 0) lines.push('No cluster has a Service the selector matches.');
  lines.push(...renderClusters(a.clusters, 'backing'));
  return lines.join('\n') + '\n';
}
