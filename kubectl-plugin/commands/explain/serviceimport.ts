// serviceimport.ts: `kubectl mesh explain svc NAME` for a Service imported through the
// Multi-Cluster Services API: the ServiceImport (type, address, ports, the clusters exporting it),
// its derived Service, the endpoints fedmesh wrote per exporting cluster, and this cluster's own
// export with its conditions when it exports the Service too. NAME may be the exported name or
// the derived Service's.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import {
  DERIVED_SERVICE_ANNOTATION,
  MCS_GROUP,
  MCS_VERSION,
  SERVICE_EXPORTS,
  SERVICE_IMPORTS,
  derivedServiceName,
  type ServiceExport,
  type ServiceImport,
} from '../../../api/index.js';
import type { Context } from '../../cli/command.js';
import { isNotFound, statusError } from '../../kube/status.js';
import { endpointsByCluster, ownedSlices, renderClusters, type ClusterEndpoints } from './slices.js';

/** ImportExplanation is the structured answer (-o json|yaml). */
export interface ImportExplanation {
  service: string;
  serviceImport: ServiceImport;
  derivedService: string;
  /** localExport is this cluster's ServiceExport of the Service, when it has one. */
  localExport?: ServiceExport;
  clusters: ClusterEndpoints[];
}

async function read<T>(
  kc: KubeConfig,
  plural: string,
  namespace: string,
  name: string,
): Promise<T | undefined> {
  try {
    return (await kc
      .makeApiClient(CustomObjectsApi)
      .getNamespacedCustomObject({ group: MCS_GROUP, version: MCS_VERSION, plural, namespace, name })) as T;
  } catch (err) {
    if (isNotFound(err)) return undefined; // none, or the MCS API is not installed
    throw statusError(err, `reading ${plural} ${namespace}/${name}`);
  }
}

// importOfDerived finds the import whose derived Service is name.
async function importOfDerived(
  kc: KubeConfig,
  namespace: string,
  name: string,
): Promise<ServiceImport | undefined> {
  try {
    const list = (await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
      group: MCS_GROUP,
      version: MCS_VERSION,
      plural: SERVICE_IMPORTS.plural,
      namespace,
    })) as { items: ServiceImport[] };
    return list.items.find((i) => i.metadata.annotations?.[DERIVED_SERVICE_ANNOTATION] === name);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw statusError(err, `listing serviceimports in ${namespace}`);
  }
}

/** explainImport answers for an imported Service, or returns what otherwise does. */
export async function explainImport(
  ctx: Context,
  kc: KubeConfig,
  namespace: string,
  name: string,
  otherwise: () => Promise<never>,
): Promise<number> {
  const imp =
    (await read<ServiceImport>(kc, SERVICE_IMPORTS.plural, namespace, name)) ??
    (name.startsWith('derived-') ? await importOfDerived(kc, namespace, name) : undefined);
  if (imp === undefined) return otherwise();
  const exported = imp.metadata.name;
  const derived =
    imp.metadata.annotations?.[DERIVED_SERVICE_ANNOTATION] ?? derivedServiceName(namespace, exported);
  const [slices, localExport] = await Promise.all([
    ownedSlices(kc, namespace, derived),
    read<ServiceExport>(kc, SERVICE_EXPORTS.plural, namespace, exported),
  ]);
  const seed = (imp.status?.clusters ?? []).map((c) => ({
    cluster: c.cluster,
    services: [`${namespace}/${exported}`],
    stale: false,
    endpoints: [],
  }));
  const answer: ImportExplanation = {
    service: `${namespace}/${exported}`,
    serviceImport: imp,
    derivedService: derived,
    ...(localExport && { localExport }),
    clusters: endpointsByCluster(seed, slices),
  };
  if (ctx.global.output === 'json' || ctx.global.output === 'yaml') ctx.out.print(answer, []);
  else ctx.io.stdout(render(answer));
  return 0;
}

function render(a: ImportExplanation): string {
  const { spec, status } = a.serviceImport;
  const address = spec.type === 'Headless' ? 'no virtual IP' : (spec.ips ?? []).join(', ') || '<pending>';
  const ports = spec.ports.map((p) => `${p.name ?? '<unnamed>'} ${p.port}/${p.protocol ?? 'TCP'}`);
  const lines = [
    `Service ${a.service} is imported through the Multi-Cluster Services API: ServiceImport ${a.service}, ${spec.type} (${address}), derived Service ${a.derivedService} (kube-proxy programs it)`,
    `Exported by clusters: ${(status?.clusters ?? []).map((c) => c.cluster).join(', ') || '<none>'}`,
    `Ports (the union of the exports by name and protocol): ${ports.join(', ') || '<none>'}`,
  ];
  const conds = a.localExport?.status?.conditions ?? [];
  if (a.localExport)
    lines.push(
      `This cluster exports it too: ${conds.map((c) => `${c.type}=${c.status} (${c.reason})${c.type === 'Conflict' && c.status === 'True' ? `: ${c.message}` : ''}`).join(', ') || 'no conditions yet'}`,
    );
  lines.push(
    'Conflicts between exports (ports, type, session affinity; the oldest export wins) are reported on every conflicting ServiceExport, in its own cluster.',
  );
  if (a.clusters.length === 0) lines.push('No cluster has endpoints for it yet.');
  lines.push(...renderClusters(a.clusters, 'exported'));
  return lines.join('\n') + '\n';
}
