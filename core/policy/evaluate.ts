// evaluate.ts: the decision a compiled policy model makes for one packet, in one direction of one
// endpoint: the reference semantics fedmesh-node's nftables rules implement and `kubectl mesh
// explain` reports. Calico's single-tier model: policies applying to the endpoint in the direction
// are walked in order; in each, rules in order; Allow and Deny decide, Log records and goes on,
// Pass leaves the policy; if no rule decided and a policy applied, the traffic is denied.
import type {
  CompiledEntity,
  CompiledPolicy,
  CompiledRule,
  PolicyAction,
  PolicyModel,
  PolicyProtocol,
} from '../../api/index.js';
import { canonicalIP, cidrContains, formatWords, parseCidr, parseIP, type Words } from '../ip.js';

/** Direction is ingress (traffic to the endpoint) or egress (traffic from it). */
export type Direction = 'ingress' | 'egress';

/** Packet is the first packet of a connection; ports only for TCP, UDP and SCTP. ICMP matches
 * ICMP over IPv4 and ICMPv6 over IPv6. */
export interface Packet {
  source: string;
  destination: string;
  protocol: PolicyProtocol;
  sourcePort?: number;
  destinationPort?: number;
}

/** RuleRef names one rule of one policy. */
export interface RuleRef {
  policy: string;
  direction: Direction;
  rule: number;
}

/** Verdict is the decision and what led to it. */
export interface Verdict {
  allowed: boolean;
  /** reason: no policy applies (allowed), a rule decided, or policies applied and none decided. */
  reason: 'no-policy' | 'rule' | 'default-deny';
  /** decidedBy is the Allow or Deny rule that decided (reason "rule"). */
  decidedBy?: RuleRef & { action: PolicyAction };
  /** applied are the policies that select the endpoint in this direction, in evaluation order. */
  applied: string[];
  /** logged are the Log rules the packet matched on the way; passed the policies a Pass rule left. */
  logged: RuleRef[];
  passed: string[];
}

/** evaluate decides the packet for the endpoint with address `endpoint` in `direction`. */
export function evaluate(model: PolicyModel, direction: Direction, endpoint: string, p: Packet): Verdict {
  const v: Verdict = { allowed: true, reason: 'no-policy', applied: [], logged: [], passed: [] };
  const src = parseIP(p.source);
  const dst = parseIP(p.destination);
  if (src === null || dst === null)
    throw new Error(`not an IP address: ${src === null ? p.source : p.destination}`);
  const ctx: Ctx = { model, p, src, dst, srcIP: formatWords(src), dstIP: formatWords(dst) };
  const policies = applying(model, direction, canonicalIP(endpoint) ?? endpoint);
  v.applied = policies.map((pol) => pol.key);
  for (const policy of policies) {
    for (const rule of policy[direction]!) {
      if (!ruleMatches(ctx, rule)) continue;
      const ref: RuleRef = { policy: policy.key, direction, rule: rule.index };
      if (rule.action === 'Log') {
        v.logged.push(ref);
        continue;
      }
      if (rule.action === 'Pass') {
        v.passed.push(policy.key);
        break;
      }
      return {
        ...v,
        allowed: rule.action === 'Allow',
        reason: 'rule',
        decidedBy: { ...ref, action: rule.action },
      };
    }
  }
  if (v.applied.length > 0) return { ...v, allowed: false, reason: 'default-deny' };
  return v;
}

/** applying lists the policies selecting the endpoint in the direction, in evaluation order. */
export function applying(model: PolicyModel, direction: Direction, endpoint: string): CompiledPolicy[] {
  return model.policies.filter(
    (pol) => pol[direction] !== undefined && inSet(model, pol.appliesTo, endpoint),
  );
}

interface Ctx {
  model: PolicyModel;
  p: Packet;
  src: Words;
  dst: Words;
  srcIP: string;
  dstIP: string;
}

const inSet = (model: PolicyModel, set: string, ip: string): boolean => model.sets.get(set)?.has(ip) ?? false;

function ruleMatches(ctx: Ctx, r: CompiledRule): boolean {
  if (r.protocol !== undefined && r.protocol !== ctx.p.protocol) return false;
  return (
    entityMatches(ctx, r.source, ctx.srcIP, ctx.src, ctx.p.sourcePort) &&
    entityMatches(ctx, r.destination, ctx.dstIP, ctx.dst, ctx.p.destinationPort)
  );
}

function entityMatches(
  ctx: Ctx,
  e: CompiledEntity | undefined,
  ip: string,
  words: Words,
  port?: number,
): boolean {
  if (e === undefined) return true;
  if (e.set !== undefined && !inSet(ctx.model, e.set, ip)) return false;
  if (e.nets !== undefined && !e.nets.some((n) => cidrContains(parseCidr(n)!, words))) return false;
  if (
    e.ports !== undefined &&
    (port === undefined || !e.ports.some((r) => port >= r.first && port <= r.last))
  )
    return false;
  return true;
}
