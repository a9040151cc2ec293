// service.ts: `kubectl mesh explain svc NAME`: what a federated Service resolves to, cluster by
// cluster: the selector as evaluated, the backing Services selected in each cluster, the endpoints
// fedmesh wrote for each (ready or not, stale or current), and the conditions that say why
// something was left out (a port with another protocol, an invalid selector, spec.selector set).
import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubeConfig,
  type V1EndpointSlice,
} from '@kubernetes/client-node';
import {
  FEDERATED_SERVICES,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  SERVICE_NAME_LABEL,
  SOURCE_CLUSTER_LABEL,
  STALE_ANNOTATION,
  type FederatedService,
} from '../../../api/index.js';
import type { Context } from '../../cli/command.js';
import { CliError } from '../../cli/errors.js';
import { isNotFound, statusError } from '../../kube/status.js';

/** ServiceExplanation is the structured answer (-o json|yaml). */
export interface ServiceExplanation {
  service: string;
  federated: FederatedService | undefined;
  clusters: {
    cluster: string;
    services: string[];
    stale: boolean;
    endpoints: { address: string; ready: boolean; target?: string }[];
  }[];
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

/** explainService answers for the Service NAME in namespace. */
export async function explainService(
  ctx: Context,
  kc: KubeConfig,
  namespace: string,
  name: string,
): Promise<number> {
  const fed = await readFederated(kc, namespace, name);
  if (fed === undefined) {
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
      exists ? `service ${namespace}/${name} is not federated` : `service ${namespace}/${name} not found`,
      undefined,
      exists
        ? `Federate it: kubectl annotate service ${name} -n ${namespace} federated.mesh/service-selector="app == 'NAME'" (and remove spec.selector).`
        : `List them: kubectl get fsvc -n ${namespace}`,
    );
  }
  const slices = await kc
    .makeApiClient(DiscoveryV1Api)
    .listNamespacedEndpointSlice({
      namespace,
      labelSelector: `${SERVICE_NAME_LABEL}=${name},${MANAGED_BY_LABEL}=${MANAGED_BY}`,
    })
    .catch((e: unknown) => {
      throw statusError(e, `listing the EndpointSlices of ${namespace}/${name}`);
    });
  const answer = assemble(`${namespace}/${name}`, fed, slices.items);
  if (ctx.global.output === 'json' || ctx.global.output === 'yaml') ctx.out.print(answer, []);
  else ctx.io.stdout(render(answer));
  return 0;
}

function assemble(service: string, fed: FederatedService, slices: V1EndpointSlice[]): ServiceExplanation {
  const clusters = new Map<string, ServiceExplanation['clusters'][number]>();
  for (const c of fed.status?.clusters ?? [])
    clusters.set(c.cluster, {
      cluster: c.cluster,
      services: c.services ?? [],
      stale: c.stale ?? false,
      endpoints: [],
    });
  for (const s of slices) {
    const cluster = s.metadata?.labels?.[SOURCE_CLUSTER_LABEL] ?? '?';
    const entry = clusters.get(cluster) ?? { cluster, services: [], stale: false, endpoints: [] };
    entry.stale ||= s.metadata?.annotations?.[STALE_ANNOTATION] === 'true';
    for (const e of s.endpoints ?? [])
      for (const address of e.addresses)
        entry.endpoints.push({
          address,
          ready: e.conditions?.ready !== false,
          ...(e.targetRef?.name && { target: e.targetRef.name }),
        });
    clusters.set(cluster, entry);
  }
  const sorted = [...clusters.values()].sort((a, b) => a.cluster.localeCompare(b.cluster));
  return { service, federated: fed, clusters: sorted };
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
  for (const c of a.clusters) {
    const ready = c.endpoints.filter((e) => e.ready).length;
    lines.push(
      `Cluster ${c.cluster}${c.stale ? ' (disconnected: endpoints kept until the grace period ends)' : ''}: backing ${c.services.join(', ') || '<none>'}; ${c.endpoints.length} endpoints, ${ready} ready`,
    );
    for (const e of c.endpoints)
      lines.push(
        `  ${e.address}${e.target ? ` ${e.target}` : ''}${e.ready ? '' : ' (not ready: kube-proxy sends it no traffic)'}`,
      );
  }
  return lines.join('\n') + '\n';
}
