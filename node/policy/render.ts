// render.ts: the desired state of fedmesh's policy table for the pods of this node, a pure function
// of the compiled policy model (api/policy.ts). Base chains dispatch a packet by the local pod's
// address through verdict maps to the pod's chain for the direction: ingress (to the pod) and
// egress (from the pod) in the forward hook, which also sees same-node traffic bridged on the pod
// bridge (bridge-nf-call-iptables), and egress to this node itself in the input hook. Traffic from
// this node to its own pods (output: kubelet probes) is not filtered, as in Kubernetes. Egress and
// ingress are separate base chains, so an egress accept still leaves the ingress check to run.
// A pod's chain jumps to the chains of the policies that apply to it, in comparePolicies order: an
// Allow accepts, a Deny drops, a Pass returns to the next policy; when no rule decided, it drops.
// Only the policies of local pods and the IP sets their rules name are rendered.
import { comparePolicies, type CompiledPolicy, type PolicyModel } from '../../api/policy.js';
import { renderRule, ruleLabel } from './rules.js';
import {
  familyOf,
  MAPS,
  podChain,
  policyChain,
  setName,
  withId,
  type BaseHook,
  type Chain,
  type Direction,
  type PolicyTable,
  type RenderedSet,
} from './table.js';

/** LocalPod is a pod on this node: its addresses (canonical IPv4 and IPv6, no prefixes). */
export interface LocalPod {
  ips: readonly string[];
}

const DIRECTIONS: Direction[] = ['in', 'out'];
const MIDSTREAM = 'ct state new tcp flags & (fin | syn | rst | ack) != syn counter drop';
const NO_MEMBERS: ReadonlySet<string> = new Set();
const ESTABLISHED = 'ct state established,related counter accept';
// Neighbour discovery may use a pod's global address, to its node (input) and, bridged, to another
// pod of the node (forward): never a policy matter.
const NEIGHBOUR_DISCOVERY =
  'icmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } counter accept';

function chainOf(lines: [rule: string, label: string][], base?: BaseHook, jumps?: string[]): Chain {
  const rules: string[] = [];
  const ids: string[] = [];
  for (const [rule, label] of lines) {
    const r = withId(rule, label);
    rules.push(r.text);
    ids.push(r.id);
  }
  return { ...(base ? { base } : {}), rules, ids, ...(jumps ? { jumps } : {}) };
}

// dispatch is the base chain rules that send a pod's packets to its chain, by address field.
function dispatch(dir: Direction, field: 'saddr' | 'daddr'): [string, string][] {
  return [
    [`counter ip ${field} vmap @${MAPS[dir][4]}`, 'dispatch'],
    [`counter ip6 ${field} vmap @${MAPS[dir][6]}`, 'dispatch'],
  ];
}

/** baseChains are the table's fixed base chains. */
export function baseChains(): [string, Chain][] {
  const first: [string, string][] = [
    [ESTABLISHED, 'established'],
    [NEIGHBOUR_DISCOVERY, 'neighbour-discovery'],
  ];
  return [
    ['forward-egress', chainOf([...first, ...dispatch('out', 'saddr')], { hook: 'forward', priority: -1 })],
    ['forward-ingress', chainOf([...first, ...dispatch('in', 'daddr')], { hook: 'forward', priority: 0 })],
    ['input-egress', chainOf([...first, ...dispatch('out', 'saddr')], { hook: 'input', priority: 0 })],
  ];
}

const rulesOf = (p: CompiledPolicy, dir: Direction): CompiledPolicy['ingress'] =>
  dir === 'in' ? p.ingress : p.egress;

// podChainRules: invalid packets dropped; when the other direction has policies, no TCP flow
// picked up in the middle (after its conntrack entry was deleted) from this side, so the flow is
// picked up from the other side and checked by that direction's policies; then each policy of this
// direction in order and the default deny, when it has any.
function podChainRules(jumps: string[], guardOther: boolean): Chain {
  const lines: [string, string][] = [['ct state invalid counter drop', 'invalid']];
  if (guardOther) lines.push([MIDSTREAM, 'midstream']);
  if (jumps.length)
    lines.push(...jumps.map((j): [string, string] => [`counter jump ${j}`, 'policy']), [
      'counter drop',
      'default-deny',
    ]);
  return chainOf(lines, undefined, jumps);
}

// policyChainRules renders a policy's rules in one direction, with the IP sets they name and the
// side each matches.
function policyChainRules(p: CompiledPolicy, dir: Direction): RenderedPolicy {
  const lines: [string, string][] = [];
  const sets: [string, '-s' | '-d'][] = [];
  for (const r of rulesOf(p, dir) ?? []) {
    if (r.source?.set) sets.push([r.source.set, '-s']);
    if (r.destination?.set) sets.push([r.destination.set, '-d']);
    for (const text of renderRule(r, { policy: p.key, dir })) lines.push([text, ruleLabel(r, dir)]);
  }
  return { chain: chainOf(lines), sets };
}

type Applying = Record<Direction, CompiledPolicy[]>;

interface RenderedPolicy {
  chain: Chain;
  sets: [string, '-s' | '-d'][];
}

const sortedIPs = (pod: LocalPod): string[] =>
  [...pod.ips].sort((a, b) => familyOf(a) - familyOf(b) || (a < b ? -1 : a > b ? 1 : 0));

/** PolicyRenderer renders policy tables, reusing the chains of policies (by object: a compiled
 * policy is never changed in place) and of pods from its earlier renders, so a change of one
 * endpoint costs the pods' dispatch, not a rendering of every policy. */
export class PolicyRenderer {
  private policies = new WeakMap<CompiledPolicy, Partial<Record<Direction, RenderedPolicy>>>();
  private pods = new Map<string, Chain>();
  private dispatch?: {
    policies: readonly CompiledPolicy[];
    appliesTo: ReadonlyMap<string, ReadonlySet<string> | undefined>;
    answers: Map<string, Applying>;
  };
  private readonly base = baseChains();

  /** render is the desired policy table for the given local pods. */
  render(model: PolicyModel, pods: readonly LocalPod[]): PolicyTable {
    const chains = new Map<string, Chain>(this.base);
    const maps = new Map<string, Map<string, string>>();
    for (const dir of DIRECTIONS) for (const f of [4, 6] as const) maps.set(MAPS[dir][f], new Map());
    const used = new Map<string, [CompiledPolicy, Direction]>();
    const podChains = new Map<string, Chain>();
    const applying = this.dispatcher(model);
    for (const pod of pods) {
      const ips = sortedIPs(pod);
      if (!ips.length) continue;
      const by = applying(ips);
      if (!by.in.length && !by.out.length) continue;
      for (const dir of DIRECTIONS) {
        const name = podChain(ips[0]!, dir);
        const jumps = by[dir].map((p) => policyChain(p.key, dir));
        by[dir].forEach((p, i) => used.set(jumps[i]!, [p, dir]));
        const guard = by[dir === 'in' ? 'out' : 'in'].length > 0;
        const sig = `${guard}|${jumps.join('|')}`;
        const chain = podChains.get(sig) ?? this.pods.get(sig) ?? podChainRules(jumps, guard);
        podChains.set(sig, chain);
        chains.set(name, chain);
        for (const ip of ips) maps.get(MAPS[dir][familyOf(ip)])!.set(ip, name);
      }
    }
    this.pods = podChains;
    const named = new Map<string, Set<'-s' | '-d'>>();
    for (const [name, [p, dir]] of used) {
      const r = this.rendered(p, dir);
      chains.set(name, r.chain);
      for (const [s, flag] of r.sets) named.set(s, (named.get(s) ?? new Set()).add(flag));
    }
    return { sets: setsOf(model, named), maps, chains };
  }

  // dispatcher gives the policies that apply to a pod's addresses, per direction, in order. When
  // the policies and the IP sets they apply to are the objects of the last render, the last
  // answers are reused (a member change elsewhere does not walk every policy for every pod).
  private dispatcher(model: PolicyModel): (ips: string[]) => Applying {
    const last = this.dispatch;
    const reuse =
      last?.policies === model.policies && [...last.appliesTo].every(([n, s]) => model.sets.get(n) === s);
    let sorted: CompiledPolicy[] | undefined;
    const answers = new Map<string, Applying>();
    this.dispatch = {
      policies: model.policies,
      appliesTo: reuse
        ? last.appliesTo
        : new Map(model.policies.map((p) => [p.appliesTo, model.sets.get(p.appliesTo)])),
      answers,
    };
    return (ips) => {
      const key = ips.join(',');
      let by = reuse ? last.answers.get(key) : undefined;
      if (!by) {
        sorted ??= [...model.policies].sort(comparePolicies);
        const of = (dir: Direction): CompiledPolicy[] =>
          sorted!.filter((p) => {
            const members = model.sets.get(p.appliesTo);
            return rulesOf(p, dir) !== undefined && !!members && ips.some((ip) => members.has(ip));
          });
        by = { in: of('in'), out: of('out') };
      }
      answers.set(key, by);
      return by;
    };
  }

  private rendered(p: CompiledPolicy, dir: Direction): RenderedPolicy {
    const cached = this.policies.get(p) ?? {};
    const r = cached[dir] ?? policyChainRules(p, dir);
    this.policies.set(p, { ...cached, [dir]: r });
    return r;
  }
}

// setsOf are both families of each IP set the rules name.
function setsOf(model: PolicyModel, named: Map<string, Set<'-s' | '-d'>>): Map<string, RenderedSet> {
  const sets = new Map<string, RenderedSet>();
  for (const s of [...named.keys()].sort()) {
    const members = model.sets.get(s) ?? NO_MEMBERS;
    const cut = [...named.get(s)!].sort().reverse();
    sets.set(setName(s, 4), { family: 4, members, cut });
    sets.set(setName(s, 6), { family: 6, members, cut });
  }
  return sets;
}

/** renderPolicy is the desired policy table for the given local pods (a renderer of its own). */
export function renderPolicy(model: PolicyModel, pods: readonly LocalPod[]): PolicyTable {
  return new PolicyRenderer().render(model, pods);
}
