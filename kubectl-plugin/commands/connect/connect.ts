// connect.ts: `kubectl mesh connect --context A --to-context B [--bidirectional]`.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Command, Context } from '../../cli/command.js';
import { usageError } from '../../cli/errors.js';
import { loadKube, type Kube } from '../../kube/index.js';
import { endpointOf, meshName } from './clusters.js';
import { parseDuration } from '../../kube/duration.js';
import { connectPair, preflight } from './flow.js';
import { consumerObjects, readerName, readerObjects, REDACTED, tokenKubeconfig } from './objects.js';
import type { Pair } from './preflight.js';

const DESCRIPTION = `Connect two clusters: the cluster of --context pulls the endpoints of the cluster of
--to-context (and, with --bidirectional, the other way round too).

A preflight runs first and stops before anything changes if a check fails: the cluster name is a
DNS label and unique in the mesh, fedmesh is installed where it pulls, and pod CIDRs overlap
neither each other nor the service CIDRs. Then, in the remote cluster, connect creates the
ServiceAccount fedmesh/fedmesh-reader-<pulling cluster>, bound to the ClusterRole
fedmesh-remote-reader that can only get, list and watch pods, nodes, namespaces, serviceaccounts,
services and endpointslices, and a token for it; in the pulling cluster, the Secret
fedmesh/remote-NAME holding a kubeconfig with that token and the RemoteClusterConfiguration NAME.
It then waits until the RemoteClusterConfiguration is Synced, showing its Connected condition.

The token expires after --token-expiration (default 168h, a week). The pulling cluster's
fedmesh-apiserver renews it when 80% of its lifetime has passed (the reader may request tokens
for itself and nothing else) and shows the expiry and last rotation in the RemoteClusterConfiguration
status; if fedmesh was down until the token expired, re-run connect. --rotate-token issues a new
token now; re-running connect also renews a token that has less than a fifth of its lifetime left
or no longer works. Otherwise re-running connect changes nothing.`;

/** connectCommand joins two clusters with a preflight, least-privilege credentials and a wait. */
export const connectCommand: Command = {
  name: 'connect',
  summary: 'Connect two clusters (preflight, reader credentials, RemoteClusterConfiguration)',
  description: DESCRIPTION,
  args: [],
  flags: [
    { name: 'to-context', type: 'string', value: 'NAME', help: 'Context of the cluster to pull from' },
    {
      name: 'to-kubeconfig',
      type: 'string',
      value: 'PATH',
      help: 'Kubeconfig of --to-context (default: as --kubeconfig)',
    },
    {
      name: 'name',
      type: 'string',
      value: 'NAME',
      help: "The remote cluster's name in the mesh (default: its context name)",
    },
    { name: 'bidirectional', type: 'boolean', help: 'Also make the remote cluster pull from this one' },
    {
      name: 'token-expiration',
      type: 'string',
      value: 'DURATION',
      help: 'Lifetime of the reader token, renewed by fedmesh before it ends (default 168h)',
    },
    {
      name: 'rotate-token',
      type: 'boolean',
      help: 'Issue a new reader token even if the stored one is valid',
    },
    { name: 'timeout', type: 'string', value: 'DURATION', help: 'How long to wait for Synced (default 2m)' },
    {
      name: 'dry-run',
      type: 'string',
      value: 'client',
      help: 'With "client", print the objects instead of applying them',
    },
  ],
  examples: [
    'kubectl mesh connect --context cluster-a --to-context cluster-b --bidirectional',
    'kubectl mesh connect --context cluster-a --to-context cluster-b --dry-run=client -o yaml',
  ],
  run: runConnect,
};

async function runConnect(ctx: Context): Promise<number> {
  const f = ctx.flags;
  const dryRun = (f['dry-run'] as string | undefined) ?? 'none';
  if (dryRun !== 'none' && dryRun !== 'client')
    throw usageError(`--dry-run must be "none" or "client", not "${dryRun}"`);
  const pairs = await pairsOf(ctx);
  const structured = ctx.global.output === 'json' || ctx.global.output === 'yaml';
  const say = (l: string): void => (structured ? ctx.io.stderr(l) : ctx.io.stdout(l));
  if (dryRun === 'client') return printDryRun(ctx, pairs);
  for (const p of pairs) await preflight(p, say);
  const opts = {
    expirationMs: parseDuration(
      (f['token-expiration'] as string | undefined) ?? '168h',
      '--token-expiration',
      true,
    ),
    timeoutMs: parseDuration((f.timeout as string | undefined) ?? '2m', '--timeout', true),
    rotateToken: f['rotate-token'] === true,
    say,
  };
  const rccs: KubernetesObject[] = [];
  for (const p of pairs) rccs.push(await connectPair(p, opts));
  if (structured) ctx.out.print(rccs.length === 1 ? rccs[0]! : rccs, []);
  else
    for (const p of pairs)
      say(`${p.consumer.context} is connected to ${p.remote.context} (as "${p.name}")\n`);
  return 0;
}

// pairsOf loads both clusters and returns the directions to connect.
async function pairsOf(ctx: Context): Promise<Pair[]> {
  const toContext = ctx.flags['to-context'] as string | undefined;
  const toKubeconfig = ctx.flags['to-kubeconfig'] as string | undefined;
  if (!toContext && !toKubeconfig) throw usageError('--to-context (or --to-kubeconfig) is required');
  const a = loadKube(ctx.global);
  const b: Kube = loadKube({
    kubeconfig: toKubeconfig ?? ctx.global.kubeconfig,
    context: toContext,
    requestTimeoutMs: ctx.global.requestTimeoutMs,
  });
  if (a.server === b.server)
    throw usageError(`--context and --to-context are the same cluster (${a.server})`);
  const [nameA, nameB] = await Promise.all([meshName(a), meshName(b)]);
  const name = (ctx.flags.name as string | undefined) ?? nameB;
  const pairs: Pair[] = [{ consumer: a, consumerName: nameA, remote: b, name }];
  if (ctx.flags.bidirectional === true)
    pairs.push({ consumer: b, consumerName: name, remote: a, name: nameA });
  return pairs;
}

// printDryRun prints what connect would apply, remote side first; the token is never issued.
function printDryRun(ctx: Context, pairs: Pair[]): number {
  const objects = pairs.flatMap((p) => [
    ...readerObjects(p.consumerName),
    ...consumerObjects(
      p.name,
      tokenKubeconfig(p.name, endpointOf(p.remote.kc), REDACTED, readerName(p.consumerName)),
    ),
  ]);
  if (ctx.global.output === 'json' || ctx.global.output === 'yaml') {
    ctx.out.print(objects, []);
    return 0;
  }
  for (const o of objects) ctx.io.stdout(`${o.kind!.toLowerCase()}/${o.metadata!.name} (dry run)\n`);
  return 0;
}
