// index.ts: `kubectl mesh uninstall`: the APIService goes first, so no kubectl anywhere prints
// discovery errors for a group nobody serves, then everything install created (either mode).
import type { KubeConfig } from '@kubernetes/client-node';
import type { Command, Group } from '../../cli/command.js';
import { MESH, describe, listRCCs, loadKube, remove, type Obj } from '../../kube/index.js';
import { readBase } from '../install/manifests.js';

const uninstallCommand: Command = {
  name: 'uninstall',
  summary: 'Remove fedmesh from the current cluster (the APIService first)',
  description: [
    'Remove fedmesh: first the APIService (so kubectl never reports an unavailable federated.mesh',
    'API), then the Deployment, Service, serving Secret, RBAC, the access Secrets of remote clusters,',
    'the CRDs with every RemoteClusterConfiguration, MeshNetworkPolicy and MeshConfiguration (unless',
    '--keep-crds), and the namespace. Objects that are already gone are fine: running it twice is safe.',
    'The Multi-Cluster Services CRDs (multicluster.x-k8s.io) are a shared API other tools may use: they',
    'and the ServiceExports in them are kept, and the command says how to delete them.',
  ].join('\n'),
  args: [],
  flags: [
    { name: 'keep-crds', type: 'boolean', help: 'Keep the CRDs and the configuration objects in them' },
  ],
  examples: ['kubectl mesh uninstall', 'kubectl mesh uninstall --keep-crds'],
  async run(ctx) {
    const { kc, context } = loadKube(ctx.global);
    const objects = await plan(kc, ctx.flags['keep-crds'] === true);
    for (const o of await remove(kc, objects)) ctx.io.stdout(`${describe(o).split(' ')[0]} deleted\n`);
    for (const c of sharedCRDs())
      ctx.io.stdout(
        `${describe(c).split(' ')[0]} kept (a shared API; if no other tool uses it: kubectl delete crd ${c.metadata?.name})\n`,
      );
    ctx.io.stdout(`fedmesh is uninstalled from context ${context}.\n`);
    return 0;
  },
};

/** uninstallGroup is `kubectl mesh uninstall`. */
export const uninstallGroup: Group = {
  name: 'uninstall',
  summary: uninstallCommand.summary,
  commands: [],
  leaf: uninstallCommand,
};

/** plan lists what to delete, in order: APIService, namespaced objects, cluster objects, CRDs, namespace. */
export async function plan(kc: KubeConfig, keepCRDs: boolean): Promise<Obj[]> {
  const base = readBase().map((m) => m.obj);
  const is = (kind: string) => (o: Obj) => o.kind === kind;
  const rest = base
    .filter((o) => !['APIService', 'Namespace', 'CustomResourceDefinition'].includes(o.kind ?? ''))
    .reverse();
  const secret: Obj = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: MESH.servingSecret, namespace: MESH.namespace },
  };
  return [
    ...base.filter(is('APIService')),
    secret,
    ...rest,
    ...(keepCRDs ? [] : await accessSecrets(kc)),
    ...(keepCRDs ? [] : base.filter((o) => is('CustomResourceDefinition')(o) && !isShared(o))),
    ...base.filter(is('Namespace')),
  ];
}

// isShared tells a CRD of an API fedmesh implements but does not own (the MCS API).
const isShared = (o: Obj): boolean =>
  o.kind === 'CustomResourceDefinition' &&
  !String((o.spec as { group?: string } | undefined)?.group).endsWith('federated.mesh');

/** sharedCRDs are the CRDs install applies that uninstall keeps. */
export const sharedCRDs = (): Obj[] =>
  readBase()
    .map((m) => m.obj)
    .filter(isShared);

// accessSecrets are the Secrets holding remote clusters' credentials; without their
// RemoteClusterConfigurations (deleted with the CRDs) they would be orphaned credentials.
async function accessSecrets(kc: KubeConfig): Promise<Obj[]> {
  return (await listRCCs(kc)).flatMap((r) => {
    const ref = r.spec?.clusterAccessSecret;
    if (!ref?.name || !ref.namespace) return [];
    return [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: ref.name, namespace: ref.namespace } }];
  });
}
