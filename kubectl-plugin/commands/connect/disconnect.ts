// disconnect.ts: `kubectl mesh disconnect NAME --context A [--to-context B]`: undoes connect.
import { RbacAuthorizationV1Api, type KubernetesObject } from '@kubernetes/client-node';
import type { Command, Context } from '../../cli/command.js';
import { describe, loadKube, remove, statusError, type Kube } from '../../kube/index.js';
import { meshName } from './clusters.js';
import { consumerObjects, readerObjects, READER_ROLE, readerRole } from './objects.js';

/** disconnectCommand deletes the RemoteClusterConfiguration and Secret (and the remote reader). */
export const disconnectCommand: Command = {
  name: 'disconnect',
  summary: 'Disconnect a remote cluster (and revoke its reader with --to-context)',
  description: [
    'Delete the RemoteClusterConfiguration NAME and its Secret fedmesh/remote-NAME in the cluster of',
    "--context: that cluster stops pulling from NAME and drops NAME's endpoints at once. With",
    '--to-context, also delete the reader ServiceAccount and ClusterRoleBinding of this cluster in',
    'the remote cluster, which revokes its token (the shared ClusterRole goes with the last binding).',
    'Objects that are already gone are fine: disconnect can be re-run.',
  ].join('\n'),
  args: [{ name: 'NAME' }],
  flags: [
    {
      name: 'to-context',
      type: 'string',
      value: 'NAME',
      help: 'Context of the remote cluster, to revoke its reader',
    },
    {
      name: 'to-kubeconfig',
      type: 'string',
      value: 'PATH',
      help: 'Kubeconfig of --to-context (default: as --kubeconfig)',
    },
  ],
  examples: ['kubectl mesh disconnect cluster-b --context cluster-a --to-context cluster-b'],
  run: runDisconnect,
};

async function runDisconnect(ctx: Context): Promise<number> {
  const name = ctx.args[0]!;
  const a = loadKube(ctx.global);
  // The RCC goes first, so the syncer stops before its Secret disappears.
  const [, secret, rcc] = consumerObjects(name, '');
  report(ctx, a, [rcc!, secret!], await remove(a.kc, [rcc!, secret!]));
  const toContext = ctx.flags['to-context'] as string | undefined;
  const toKubeconfig = ctx.flags['to-kubeconfig'] as string | undefined;
  if (!toContext && !toKubeconfig) return 0;
  const b = loadKube({
    kubeconfig: toKubeconfig ?? ctx.global.kubeconfig,
    context: toContext,
    requestTimeoutMs: ctx.global.requestTimeoutMs,
  });
  const [, sa, , binding, renewRole, renewBinding] = readerObjects(await meshName(a));
  const reader = [binding!, renewBinding!, renewRole!, sa!];
  report(ctx, b, reader, await remove(b.kc, reader));
  if (!(await roleInUse(b))) report(ctx, b, [readerRole()], await remove(b.kc, [readerRole()]));
  return 0;
}

// report prints kubectl style what was deleted and what was already gone.
function report(ctx: Context, k: Kube, wanted: KubernetesObject[], deleted: KubernetesObject[]): void {
  for (const o of wanted) {
    const what = deleted.includes(o) ? 'deleted' : 'not found (already gone)';
    ctx.io.stdout(`${describe(o)} ${what} in ${k.context}\n`);
  }
}

// roleInUse says whether another consumer's binding still refers to the reader ClusterRole.
async function roleInUse(b: Kube): Promise<boolean> {
  try {
    const list = await b.kc.makeApiClient(RbacAuthorizationV1Api).listClusterRoleBinding();
    return list.items.some((crb) => crb.roleRef.kind === 'ClusterRole' && crb.roleRef.name === READER_ROLE);
  } catch (err) {
    throw statusError(err, 'listing ClusterRoleBindings');
  }
}
