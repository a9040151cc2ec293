// select.ts: `kubectl mesh select SELECTOR [-n NS | -A]`: a dry run of a selector across every
// cluster of the mesh, through a SelectorReview: matching endpoints grouped by cluster, then the
// minimal CIDR set that covers their IPs.
import { GROUP_VERSION, SELECTOR_REVIEWS } from '../../../api/index.js';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Command, Context } from '../../cli/command.js';
import { usageError } from '../../cli/errors.js';
import type { Column } from '../../cli/printer.js';
import { loadKube, statusError } from '../../kube/index.js';
import { caretError } from '../selector/show.js';

/** Match is one endpoint a SelectorReview matched. */
export interface Match {
  cluster: string;
  namespace?: string;
  name: string;
  kind: string;
  ips: string[];
}

/** Review is a SelectorReview as the server answers it. */
export interface Review {
  spec: { selector: string; namespace?: string; limit?: number };
  status: {
    valid: boolean;
    error?: { message: string; position: number };
    canonical?: string;
    matchCount: number;
    matches: Match[];
    cidrs: string[];
    filtered?: boolean;
  };
}

/** MATCH_COLUMNS are select's table columns; the endpoint name drops the cluster prefix. */
export const MATCH_COLUMNS: Column<Match>[] = [
  { header: 'cluster', get: (m) => m.cluster },
  { header: 'namespace', get: (m) => m.namespace },
  {
    header: 'name',
    get: (m) => (m.name.startsWith(`${m.cluster}.`) ? m.name.slice(m.cluster.length + 1) : m.name),
  },
  { header: 'kind', get: (m) => m.kind },
  { header: 'ips', get: (m) => m.ips.join(',') },
  { header: 'endpoint', get: (m) => m.name, wide: true },
];

/** selectCommand dry-runs a selector across the mesh. */
export const selectCommand: Command = {
  name: 'select',
  summary: 'Show which endpoints of every cluster a selector matches, and their CIDRs',
  description: [
    'Evaluate a selector (Calico syntax) against every endpoint of the mesh, local and remote, as',
    'the cluster of --context sees it, through a SelectorReview (nothing is stored). Prints the',
    'matching endpoints grouped by cluster, then the minimal CIDR set covering their IPs, which is',
    'what a policy rule with this selector allows.',
    '',
    'Without -n it looks in the context\'s namespace (default "default"); -A looks in all namespaces.',
  ].join('\n'),
  args: [{ name: 'SELECTOR' }],
  flags: [{ name: 'limit', type: 'string', value: 'N', help: 'Show at most N matches (default 100)' }],
  examples: [
    `kubectl mesh select "app == 'db'" -n shop`,
    `kubectl mesh select "tier in {'api', 'web'} && federated.mesh/cluster == 'cluster-b'" -A -o wide`,
  ],
  run: runSelect,
};

async function runSelect(ctx: Context): Promise<number> {
  const selector = ctx.args[0]!;
  const k = loadKube(ctx.global);
  const spec: Review['spec'] = { selector, limit: parseLimit(ctx.flags.limit as string | undefined) };
  if (!ctx.global.allNamespaces)
    spec.namespace = ctx.global.namespace ?? k.kc.getContextObject(k.context)?.namespace ?? 'default';
  const review = await createReview(ctx, k.kc, spec);
  const st = review.status;
  if (!st.valid) {
    if (ctx.global.output === 'json' || ctx.global.output === 'yaml') ctx.out.print(review, []);
    throw caretError(selector, {
      valid: false,
      error: st.error?.message ?? 'invalid',
      position: st.error?.position ?? 0,
    });
  }
  if (ctx.global.output === 'json' || ctx.global.output === 'yaml') {
    ctx.out.print(review, []);
    return 0;
  }
  printMatches(ctx, spec, st);
  return 0;
}

function parseLimit(v: string | undefined): number {
  if (v === undefined) return 100;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 10_000)
    throw usageError(`--limit must be an integer from 0 to 10000, not "${v}"`);
  return n;
}

async function createReview(ctx: Context, kc: KubeConfig, spec: Review['spec']): Promise<Review> {
  try {
    return (await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
      group: SELECTOR_REVIEWS.group,
      version: SELECTOR_REVIEWS.version,
      plural: SELECTOR_REVIEWS.plural,
      body: { apiVersion: GROUP_VERSION, kind: SELECTOR_REVIEWS.kind, metadata: {}, spec },
    })) as Review;
  } catch (err) {
    throw statusError(err, `creating a SelectorReview in ${ctx.global.context ?? 'the current context'}`);
  }
}

// printMatches prints the matches sorted by cluster, namespace and name, then the CIDR set.
function printMatches(ctx: Context, spec: Review['spec'], st: Review['status']): void {
  const where = spec.namespace === undefined ? 'any namespace' : `namespace ${spec.namespace}`;
  if (st.filtered)
    ctx.io.stderr(
      'Only endpoints you may list are shown: you may not list federatedendpoints in every namespace or federatedhostendpoints (kubectl auth can-i list federatedendpoints -A).\n',
    );
  if (st.matchCount === 0) {
    ctx.io.stderr(`No endpoints in ${where} match ${JSON.stringify(st.canonical ?? spec.selector)}.\n`);
    return;
  }
  const key = (m: Match): string => `${m.cluster}\0${m.namespace ?? ''}\0${m.name}`;
  const rows = [...st.matches].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  ctx.out.print(rows, MATCH_COLUMNS);
  const clusters = new Set(st.matches.map((m) => m.cluster)).size;
  ctx.io.stdout(`\nCIDRs: ${st.cidrs.join(', ') || '<none>'}\n`);
  const shown =
    st.matches.length < st.matchCount ? `${st.matches.length} of ${st.matchCount}` : `${st.matchCount}`;
  ctx.io.stdout(
    `${shown} endpoints in ${clusters} cluster(s) match ${st.canonical ?? spec.selector} in ${where}.\n`,
  );
  if (st.matches.length < st.matchCount)
    ctx.io.stdout('Raise --limit to see more (the CIDR set covers all of them).\n');
}
