// rules.ts: one compiled rule as nft rules. A rule that names addresses (an IP set or nets) becomes
// one nft rule per family it can match (an IP set has both families; nets only those they hold);
// a rule without addresses is one rule for both. Every rule counts what it matches; Allow accepts,
// Deny drops, Log logs and goes on, Pass returns to the pod's chain (the next policy).
import type { CompiledEntity, CompiledRule, PolicyProtocol, PortRange } from '../../api/policy.js';
import { familyOf, quote, setName, type Direction, type Family } from './table.js';

const L4: Record<Exclude<PolicyProtocol, 'ICMP'>, string> = { TCP: 'tcp', UDP: 'udp', SCTP: 'sctp' };
const VERDICT = { Allow: 'accept', Deny: 'drop', Pass: 'return' } as const;

/** RuleContext names where a rule is: its policy and direction (for log prefixes and labels). */
export interface RuleContext {
  policy: string;
  dir: Direction;
}

const hasAddresses = (e?: CompiledEntity): boolean => !!e && (!!e.set || !!e.nets?.length);

// netsOf are the entity's nets of one family; undefined when the entity has no nets at all.
function netsOf(e: CompiledEntity | undefined, family: Family): string[] | undefined {
  if (!e?.nets?.length) return undefined;
  return e.nets.filter((n) => familyOf(n) === family);
}

// addressMatch is the match of one entity on one address field, or null when it cannot match
// this family (its nets are all of the other one).
function addressMatch(
  e: CompiledEntity | undefined,
  field: 'saddr' | 'daddr',
  family: Family,
): string | null {
  const ip = family === 4 ? 'ip' : 'ip6';
  const parts: string[] = [];
  if (e?.set) parts.push(`${ip} ${field} @${setName(e.set, family)}`);
  const nets = netsOf(e, family);
  if (nets && !nets.length) return null;
  if (nets) parts.push(`${ip} ${field} ${anonymous(nets)}`);
  return parts.join(' ');
}

const anonymous = (items: string[]): string => (items.length === 1 ? items[0]! : `{ ${items.join(', ')} }`);
const portList = (ports: PortRange[]): string =>
  anonymous(ports.map((p) => (p.first === p.last ? `${p.first}` : `${p.first}-${p.last}`)));

// protocolMatch is the protocol and port part of a rule, or null when the rule is malformed
// (ports with ICMP): such a rule is rendered as a drop, failing closed.
function protocolMatch(r: CompiledRule, family: Family | undefined): string | null {
  const sport = r.source?.ports?.length ? r.source.ports : undefined;
  const dport = r.destination?.ports?.length ? r.destination.ports : undefined;
  const ports = (l4: string): string =>
    [sport && `${l4} sport ${portList(sport)}`, dport && `${l4} dport ${portList(dport)}`]
      .filter(Boolean)
      .join(' ');
  if (r.protocol === 'ICMP') {
    if (sport || dport) return null;
    const icmp = family === 4 ? 'icmp' : family === 6 ? 'ipv6-icmp' : '{ icmp, ipv6-icmp }';
    return `meta l4proto ${icmp}`;
  }
  if (r.protocol) return sport || dport ? ports(L4[r.protocol]) : `meta l4proto ${L4[r.protocol]}`;
  return sport || dport ? `meta l4proto { tcp, udp, sctp } ${ports('th')}` : '';
}

// action is the statement part: a counter, then the verdict (or the log).
function action(r: CompiledRule, ctx: RuleContext): string {
  if (r.action === 'Log') {
    const prefix = `fedmesh ${ctx.policy} ${ruleLabel(r, ctx.dir)}: `.slice(-120);
    return `counter log prefix ${quote(prefix)}`;
  }
  return `counter ${VERDICT[r.action]}`;
}

/** ruleLabel is the label in a rule's comment: its direction and index in the policy's spec. */
export const ruleLabel = (r: CompiledRule, dir: Direction): string =>
  `${dir === 'in' ? 'ingress' : 'egress'}[${r.index}]`;

/** renderRule is the nft rules (without comments) of one compiled rule, in order. */
export function renderRule(r: CompiledRule, ctx: RuleContext): string[] {
  const addressed = hasAddresses(r.source) || hasAddresses(r.destination);
  const families: (Family | undefined)[] = addressed ? [4, 6] : [undefined];
  const out: string[] = [];
  for (const family of families) {
    const src = family ? addressMatch(r.source, 'saddr', family) : '';
    const dst = family ? addressMatch(r.destination, 'daddr', family) : '';
    if (src === null || dst === null) continue;
    const proto = protocolMatch(r, family);
    if (proto === null) return ['counter drop'];
    out.push([src, dst, proto, action(r, ctx)].filter(Boolean).join(' '));
  }
  return out;
}
