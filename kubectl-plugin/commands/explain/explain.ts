// explain.ts: `kubectl mesh explain TARGET` says who owns an address or endpoint, which policies of
// this cluster select it and which IP sets hold it; `kubectl mesh explain --from X --to Y [--port
// P/PROTO]` walks the policies in order, as the nodes do, and says which rule decides the traffic.
// Both come from the same compiled model and the same evaluation fedmesh-node enforces.
import type { CompiledRule, PolicyProtocol } from '../../../api/index.js';
import {
  applying,
  evaluate,
  type Direction,
  type Packet,
  type Verdict,
} from '../../../core/policy/evaluate.js';
import type { Command, Context } from '../../cli/command.js';
import { usageError } from '../../cli/errors.js';
import { loadKube } from '../../kube/index.js';
import { loadPolicy, resolveEndpoint, type Endpoint, type MeshPolicy } from './mesh.js';
import { explainService } from './service.js';

/** explainCommand is `kubectl mesh explain`. */
export const explainCommand: Command = {
  name: 'explain',
  summary: 'Say who owns an address and which policy rule decides traffic between two endpoints',
  description: [
    'With one argument, says which cluster, namespace and endpoint own it, its labels, the policies of',
    'this cluster that select it and the IP sets that hold it.',
    '',
    'With --from and --to, walks the MeshNetworkPolicies of this cluster in order, as its nodes do:',
    "the source's egress if the source runs here, the destination's ingress if it runs here, and says",
    'which rule decides (Allow or Deny), or that no policy selects the endpoint, or that policies',
    'select it and none allowed the traffic (default deny). Endpoints of another cluster are decided',
    "by that cluster's policies: run the command with its --context for that side.",
    '',
    'An endpoint is an IP address, CLUSTER.POD (a FederatedEndpoint in -n NAMESPACE), fep/CLUSTER.POD',
    'or fhep/CLUSTER.NODE.',
    '',
    '`explain svc NAME` says what a federated Service resolves to in each cluster: the backing',
    'Services, the endpoints written for it (ready or not, from a disconnected cluster or not), and',
    'the conditions that explain what was left out. For a Service imported through the Multi-Cluster',
    'Services API (a ServiceImport; NAME or its derived Service) it names the exporting clusters, the',
    "ports, the endpoints of each and the conditions of this cluster's own export.",
  ].join('\n'),
  args: [
    { name: 'TARGET', optional: true },
    { name: 'NAME', optional: true },
  ],
  flags: [
    { name: 'from', type: 'string', value: 'ENDPOINT', help: 'Source of the traffic' },
    { name: 'to', type: 'string', value: 'ENDPOINT', help: 'Destination of the traffic' },
    {
      name: 'port',
      type: 'string',
      value: 'PORT[/PROTO]',
      help: 'Destination port and protocol, e.g. 5432/TCP, 53/UDP or ICMP (default: TCP, any port)',
    },
  ],
  examples: [
    'kubectl mesh explain 10.20.0.6',
    'kubectl mesh explain -n shop b.web',
    'kubectl mesh explain -n shop --from b.web --to a.db --port 5432/TCP',
    'kubectl mesh explain svc db -n shop',
  ],
  run: runExplain,
};

async function runExplain(ctx: Context): Promise<number> {
  const from = ctx.flags.from as string | undefined;
  const to = ctx.flags.to as string | undefined;
  const target = ctx.args[0];
  if ((from === undefined) !== (to === undefined)) throw usageError('--from and --to go together');
  if ((target === undefined) === (from === undefined))
    throw usageError('give either TARGET or --from and --to');
  const k = loadKube(ctx.global);
  const ns = ctx.global.namespace ?? k.kc.getContextObject(k.context)?.namespace ?? 'default';
  const svc = serviceName(ctx.args);
  if (svc !== undefined) return explainService(ctx, k.kc, ns, svc);
  if (ctx.args.length > 1) throw usageError('only `explain svc NAME` takes two arguments');
  const mesh = await loadPolicy(k.kc, ctx.core());
  if (target !== undefined) return explainOwner(ctx, mesh, await resolveEndpoint(k.kc, target, ns));
  const packet = parsePort(ctx.flags.port as string | undefined);
  const [src, dst] = await Promise.all([resolveEndpoint(k.kc, from!, ns), resolveEndpoint(k.kc, to!, ns)]);
  return explainTraffic(ctx, mesh, src, dst, packet);
}

// serviceName reads `svc NAME`, `service NAME`, `svc/NAME` or `service/NAME`.
function serviceName(args: string[]): string | undefined {
  const [a, b] = args;
  if (a === undefined) return undefined;
  if ((a === 'svc' || a === 'service') && b !== undefined) return b;
  const m = /^(?:svc|service|services)\/(.+)$/.exec(a);
  return m?.[1];
}

/** parsePort reads --port: 5432, 5432/TCP, 53/udp or ICMP. */
export function parsePort(v: string | undefined): Omit<Packet, 'source' | 'destination'> {
  if (v === undefined) return { protocol: 'TCP' };
  if (/^icmp$/i.test(v)) return { protocol: 'ICMP' };
  const m = /^(\d{1,5})(?:\/(tcp|udp|sctp))?$/i.exec(v);
  const port = Number(m?.[1]);
  if (!m || port < 1 || port > 65535)
    throw usageError(`--port must be PORT[/TCP|UDP|SCTP] or ICMP, not "${v}"`);
  return {
    protocol: (m[2]?.toUpperCase() ?? 'TCP') as PolicyProtocol,
    destinationPort: port,
    sourcePort: 40000,
  };
}

export const describeEndpoint = (e: Endpoint): string =>
  e.kind === 'workload'
    ? `pod ${e.namespace}/${e.name} of cluster ${e.cluster}`
    : e.kind === 'host'
      ? `node ${e.name} of cluster ${e.cluster}`
      : 'an address outside the mesh';

function explainOwner(ctx: Context, mesh: MeshPolicy, e: Endpoint): number {
  const sets = [...mesh.model.sets]
    .filter(([, m]) => m.has(e.ip))
    .map(([name]) => name)
    .sort();
  const local = e.kind === 'workload' && e.cluster === mesh.cluster;
  const selecting = (d: Direction): string[] =>
    local ? applying(mesh.model, d, e.ip).map((p) => p.key) : [];
  const answer = {
    endpoint: e,
    ipSets: sets,
    policies: { ingress: selecting('ingress'), egress: selecting('egress') },
  };
  if (ctx.global.output === 'json' || ctx.global.output === 'yaml') {
    ctx.out.print(answer, []);
    return 0;
  }
  const lines = [`${e.ip} is ${describeEndpoint(e)}.`];
  const labels = Object.entries(e.labels).map(([k, v]) => `${k}=${v}`);
  if (e.kind !== 'address') lines.push(`Labels: ${labels.join(', ') || '<none>'}`);
  lines.push(sets.length ? 'IP sets holding it:' : 'IP sets holding it: none');
  for (const s of sets) {
    const fips = mesh.sets.get(s);
    lines.push(
      `  ${s}  ${fips?.spec.selector ?? ''}  (used by ${(fips?.spec.policies ?? []).join(', ') || '-'})`,
    );
  }
  if (local) {
    for (const d of ['ingress', 'egress'] as const)
      lines.push(
        `Policies selecting it for ${d}: ${answer.policies[d].join(', ') || 'none (all traffic allowed)'}`,
      );
  } else if (e.kind !== 'address') {
    lines.push(
      `Its own traffic is decided by the policies of cluster ${e.cluster}, not by cluster ${mesh.cluster}'s.`,
    );
  }
  ctx.io.stdout(lines.join('\n') + '\n');
  return 0;
}

function explainTraffic(
  ctx: Context,
  mesh: MeshPolicy,
  src: Endpoint,
  dst: Endpoint,
  p: Omit<Packet, 'source' | 'destination'>,
): number {
  const packet: Packet = { ...p, source: src.ip, destination: dst.ip };
  const side = (e: Endpoint, d: Direction): Verdict | { decidedIn: string } | { notAnEndpoint: true } =>
    e.kind === 'workload' && e.cluster === mesh.cluster
      ? evaluate(mesh.model, d, e.ip, packet)
      : e.kind === 'address'
        ? { notAnEndpoint: true }
        : { decidedIn: e.cluster! };
  const egress = side(src, 'egress');
  const ingress = side(dst, 'ingress');
  const allowed = [egress, ingress].every((v) => !('allowed' in v) || v.allowed);
  if (ctx.global.output === 'json' || ctx.global.output === 'yaml') {
    ctx.out.print({ from: src, to: dst, packet, egress, ingress, allowed }, []);
    return 0;
  }
  const port = p.destinationPort ? ` port ${p.destinationPort}` : p.protocol === 'ICMP' ? '' : ' (any port)';
  const lines = [
    `From ${src.ip} (${describeEndpoint(src)}) to ${dst.ip} (${describeEndpoint(dst)}), ${p.protocol}${port}:`,
    `  egress of the source: ${sideText(mesh, egress)}`,
    `  ingress of the destination: ${sideText(mesh, ingress)}`,
    `Verdict: ${allowed ? 'allowed' : 'denied'}${[egress, ingress].some((v) => 'decidedIn' in v) ? ` by cluster ${mesh.cluster}'s policies (the other side is decided in its own cluster)` : ''}.`,
  ];
  ctx.io.stdout(lines.join('\n') + '\n');
  return 0;
}

function sideText(mesh: MeshPolicy, v: Verdict | { decidedIn: string } | { notAnEndpoint: true }): string {
  if ('decidedIn' in v) return `decided by cluster ${v.decidedIn}'s policies (run with its --context)`;
  if ('notAnEndpoint' in v) return 'not a mesh endpoint: no policy of the mesh applies';
  if (v.reason === 'no-policy') return 'ALLOW: no policy selects the endpoint in this direction';
  if (v.reason === 'default-deny')
    return `DENY: selected by ${v.applied.join(', ')}, and no rule allowed it (default deny)`;
  const d = v.decidedBy!;
  const rule = mesh.model.policies
    .find((x) => x.key === d.policy)
    ?.[d.direction]?.find((r) => r.index === d.rule);
  return `${d.action.toUpperCase()} by ${d.policy} ${d.direction} rule ${d.rule}${rule ? ` (${ruleText(rule)})` : ''}`;
}

function ruleText(r: CompiledRule): string {
  const part = (what: string, e: CompiledRule['source']): string[] => [
    ...(e?.set ? [`${what} set ${e.set}`] : []),
    ...(e?.nets ? [`${what} nets ${e.nets.join(',')}`] : []),
    ...(e?.ports
      ? [
          `${what} ports ${e.ports.map((x) => (x.first === x.last ? `${x.first}` : `${x.first}:${x.last}`)).join(',')}`,
        ]
      : []),
  ];
  return [
    r.action,
    ...(r.protocol ? [r.protocol] : []),
    ...part('from', r.source),
    ...part('to', r.destination),
  ].join(' ');
}
