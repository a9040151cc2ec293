// index.ts: `kubectl mesh status`: the mesh at a glance: is the API served, and per cluster
// whether it is connected, synced or stale, how much it synced, when, and the last error; then the
// overlay per node as each node's fedmesh-node reports it, then the federated Services, then the
// Multi-Cluster Services exports and imports.
import { Watch } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Command, Context, Group } from '../../cli/command.js';
import { table } from '../../cli/printer.js';
import { MESH, getAPIService, getLocalClusterName, listRCCs, loadKube, request } from '../../kube/index.js';
import { listNodeOverlays, nodeColumns, programmedOf, type NodeOverlay } from './nodes.js';
import { listMCSRows, mcsColumns, type MCSRow } from './mcs.js';
import { listServiceRows, serviceColumns, type ServiceRow } from './services.js';
import {
  apiServiceState,
  columns,
  localRow,
  remoteRow,
  type APIServiceState,
  type ClusterRow,
} from './rows.js';

/** MeshStatus is what -o json|yaml prints. */
export interface MeshStatus {
  kind: 'MeshStatus';
  apiService: APIServiceState;
  clusters: ClusterRow[];
  /** nodes are the local cluster's nodes and their overlay condition. */
  nodes: NodeOverlay[];
  /** services are the local cluster's federated Services (FederatedServices). */
  services: ServiceRow[];
  /** mcs are the local cluster's ServiceExports (with conditions) and ServiceImports. */
  mcs: MCSRow[];
}

const statusCommand: Command = {
  name: 'status',
  summary: 'Show the mesh at a glance: the API, and per cluster connection, sync and errors',
  description: [
    'Show whether the federated.mesh API is served, then one row per cluster: the local one (named by',
    'MeshConfiguration default) and each RemoteClusterConfiguration, with its Connected, Synced and',
    'Stale conditions, synced workload and host endpoints, time since the last sync and the last',
    'error (truncated in the table; full with -o wide, json or yaml), and for a remote cluster how',
    'many of its nodes the overlay reaches from every local node (OVERLAY 2/3: 2 of its 3 nodes).',
    "Then one row per local node: its fedmesh-node's FedmeshOverlayReady condition, the remote nodes",
    'and routes it programmed, when it last reported, and its last error. Then one row per federated',
    'Service: the clusters and endpoints it resolves to, its Ready and Conflict conditions and the',
    'first problem. Then the ServiceExports of this cluster with their Valid, Ready and Conflict',
    'conditions and the ServiceImports fedmesh made here (type, IP, exporting clusters).',
    '--watch re-prints on change.',
  ].join('\n'),
  args: [],
  flags: [
    {
      name: 'watch',
      short: 'w',
      type: 'boolean',
      help: 'Re-print when a remote cluster changes, until Ctrl-C',
    },
  ],
  examples: ['kubectl mesh status', 'kubectl mesh status -o wide', 'kubectl mesh status -w'],
  async run(ctx) {
    const { kc } = loadKube(ctx.global);
    if (ctx.flags.watch !== true) {
      render(ctx, await collect(kc));
      return 0;
    }
    return watchStatus(ctx, kc);
  },
};

/** statusGroup is `kubectl mesh status`. */
export const statusGroup: Group = {
  name: 'status',
  summary: statusCommand.summary,
  commands: [],
  leaf: statusCommand,
};

/** collect reads everything status shows. */
export async function collect(kc: KubeConfig): Promise<MeshStatus> {
  const [svc, name, rccs, nodes] = await Promise.all([
    getAPIService(kc),
    getLocalClusterName(kc),
    listRCCs(kc),
    listNodeOverlays(kc).catch(() => []), // a user who cannot list nodes still sees the clusters
  ]);
  const api = apiServiceState(svc);
  const counts = api.available && name ? await localCounts(kc, name) : undefined;
  const services = api.available ? await listServiceRows(kc).catch(() => []) : [];
  const mcs = await listMCSRows(kc);
  const remotes = rccs.map((r) => ({ ...remoteRow(r), overlay: programmedOf(nodes, r.metadata.name) }));
  return {
    kind: 'MeshStatus',
    apiService: api,
    clusters: [localRow(name, api, counts), ...remotes],
    nodes,
    services,
    mcs,
  };
}

// localCounts counts the local cluster's endpoints as the mesh serves them (metadata only).
async function localCounts(
  kc: KubeConfig,
  cluster: string,
): Promise<{ workloads: number; hosts: number } | undefined> {
  const q = `fieldSelector=${encodeURIComponent(`spec.cluster=${cluster}`)}`;
  const count = async (plural: string): Promise<number> => {
    const r = await request(kc, 'GET', `/apis/federated.mesh/v1alpha1/${plural}?${q}`);
    return ((r.body as { items?: unknown[] }).items ?? []).length;
  };
  try {
    return { workloads: await count('federatedendpoints'), hosts: await count('federatedhostendpoints') };
  } catch {
    return undefined; // counts are a nicety; the API's health is on the header line
  }
}

/** text renders the table form: the APIService line, then the cluster table. */
export function text(s: MeshStatus, wide: boolean): string {
  const a = s.apiService;
  const head = a.available
    ? `APIService ${a.name}: Available\n`
    : `APIService ${a.name}: not available (${a.reason ?? 'Unknown'}: ${a.message ?? ''}); run \`kubectl mesh diagnose\`\n`;
  const reporting = s.nodes.filter((n) => n.ready !== 'Unknown');
  const overlay = reporting.length
    ? table(s.nodes, nodeColumns(wide))
    : `No node reports the overlay (is fedmesh-node running? kubectl -n ${MESH.namespace} get daemonset fedmesh-node)\n`;
  const services = s.services.length
    ? table(s.services, serviceColumns(wide))
    : 'No federated Service (annotate a Service without spec.selector with federated.mesh/service-selector)\n';
  const mcs = s.mcs.length
    ? table(s.mcs, mcsColumns(wide))
    : 'No ServiceExport or ServiceImport (export a Service: a ServiceExport of the same name)\n';
  return head + '\n' + table(s.clusters, columns(wide)) + '\n' + overlay + '\n' + services + '\n' + mcs;
}

function render(ctx: Context, s: MeshStatus): string {
  const f = ctx.global.output;
  if (f === 'json' || f === 'yaml') ctx.out.print(s, []);
  else ctx.io.stdout(text(s, f === 'wide'));
  return JSON.stringify(s);
}

// watchStatus re-renders whenever an RCC event arrives and the status differs; it reconnects
// when the watch ends and runs until the process is interrupted.
async function watchStatus(ctx: Context, kc: KubeConfig): Promise<number> {
  let last = render(ctx, await collect(kc));
  const path = `/apis/${MESH.configGroup}/${MESH.configVersion}/remoteclusterconfigurations`;
  for (;;) {
    await new Promise<void>((resolve) => {
      void new Watch(kc)
        .watch(
          path,
          {},
          () => {
            void collect(kc).then((s) => {
              if (JSON.stringify(s) !== last) last = render(ctx, s);
            });
          },
          () => resolve(),
        )
        .catch(() => resolve());
    });
    await new Promise((r) => setTimeout(r, 1000));
  }
}
