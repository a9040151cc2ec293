// demo.ts: `kubectl mesh demo --contexts a,b`: turns clusters with fedmesh installed into a
// small mesh: sample workloads in each, then every cluster connected to every other, both ways.
import type { Command, Context } from '../../cli/command.js';
import { CliError, usageError } from '../../cli/errors.js';
import { loadKube, type Kube } from '../../kube/index.js';
import { fedmeshProblem, meshName } from '../connect/clusters.js';
import { parseDuration } from '../../kube/duration.js';
import { connectPair, preflight } from '../connect/flow.js';
import type { Pair } from '../connect/preflight.js';
import { createSamples, FEDERATED_SELECTOR } from './samples.js';

/** demoCommand builds the sample mesh out of the given contexts. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'Create sample workloads in clusters with fedmesh installed and connect them all',
  description: [
    'For each context of --contexts (fedmesh must be installed in each: kubectl mesh install), create',
    'sample nodes, namespaces, pods with IPs and services (shop/db where the db pods run, and the',
    "federated Service shop/db-global selecting app == 'db' in every cluster), then connect every",
    'cluster to every other, both ways, as kubectl mesh connect does. Re-running it changes nothing.',
    'Without --image the sample nodes and pod statuses are API objects no kubelet manages: use throwaway',
    'clusters (npm run demo makes some). With --image the pods are real, on the Ready nodes.',
  ].join('\n'),
  args: [],
  flags: [
    {
      name: 'contexts',
      type: 'string',
      value: 'A,B,...',
      help: 'The contexts to build the mesh from (two or more)',
    },
    {
      name: 'image',
      type: 'string',
      value: 'IMAGE',
      help: 'Run the sample pods from IMAGE on the Ready nodes (already on the nodes; fedmesh-echo serving HTTP)',
    },
    {
      name: 'timeout',
      type: 'string',
      value: 'DURATION',
      help: 'How long to wait for each connection to sync (default 2m)',
    },
  ],
  examples: ['KUBECONFIG=a.kubeconfig:b.kubeconfig kubectl mesh demo --contexts cluster-a,cluster-b'],
  run: runDemo,
};

async function runDemo(ctx: Context): Promise<number> {
  const contexts = ((ctx.flags.contexts as string | undefined) ?? '').split(',').filter((c) => c !== '');
  if (contexts.length < 2)
    throw usageError('--contexts needs two or more contexts, e.g. --contexts cluster-a,cluster-b');
  const timeoutMs = parseDuration((ctx.flags.timeout as string | undefined) ?? '2m', '--timeout');
  const say = (l: string): void => ctx.io.stdout(l);
  const kubes = contexts.map((context) => loadKube({ ...ctx.global, context }));
  const names = await Promise.all(kubes.map(meshName));
  for (const [i, k] of kubes.entries()) {
    const problem = await fedmeshProblem(k.kc);
    if (problem)
      throw new CliError(
        'EINVALID',
        `fedmesh is not installed in ${k.context}: ${problem}`,
        undefined,
        `run: kubectl mesh install --context ${k.context}`,
      );
    const image = ctx.flags.image as string | undefined;
    const real = image ? { image, timeoutMs, say } : undefined;
    const pods = await createSamples(k.kc, names[i]!, i, real);
    const kind = real ? 'real pods' : 'sample pods';
    say(`${k.context}: ${pods} ${kind} on 2 nodes, Service shop/db-global (${FEDERATED_SELECTOR})\n`);
  }
  const pairs = allPairs(kubes, names);
  for (const p of pairs) await preflight(p, say);
  for (const p of pairs)
    await connectPair(p, { expirationMs: 8760 * 3_600_000, timeoutMs, rotateToken: false, say });
  printTry(ctx, kubes[0]!, names);
  return 0;
}

// allPairs lists every ordered pair of distinct clusters: each pulls from every other.
function allPairs(kubes: Kube[], names: string[]): Pair[] {
  return kubes.flatMap((consumer, i) =>
    kubes.flatMap((remote, j) =>
      i === j ? [] : [{ consumer, consumerName: names[i]!, remote, name: names[j]! }],
    ),
  );
}

function printTry(ctx: Context, first: Kube, names: string[]): void {
  const c = `--context ${first.context}`;
  ctx.io.stdout(
    [
      `The mesh of ${names.join(', ')} is ready. Try:`,
      `  kubectl ${c} get federatedendpoints -A -o wide      # the pods of every cluster`,
      `  kubectl ${c} get rcc                                # connection health`,
      `  kubectl mesh status ${c}`,
      `  kubectl mesh select ${c} "app == 'db'" -n shop`,
      '',
    ].join('\n'),
  );
}
