// policy.ts: the compiled form of MeshNetworkPolicies, the one model every consumer of policy
// shares: fedmesh-apiserver computes the IP sets it names, fedmesh-node renders it into nftables,
// and `kubectl mesh explain` walks it. Compilation (core/policy) turns a policy's selectors into
// IP sets named by the selector's unique ID; nothing downstream sees a selector again.

/** PolicyAction is what a rule does with matching traffic: Log records it and goes on, Pass skips
 * the rest of the policy (evaluation continues with the next policy). */
export type PolicyAction = 'Allow' | 'Deny' | 'Log' | 'Pass';

/** PolicyProtocol is a rule's protocol. */
export type PolicyProtocol = 'TCP' | 'UDP' | 'ICMP' | 'SCTP';

/** PortRange is an inclusive range of port numbers (a single port has first == last). */
export interface PortRange {
  first: number;
  last: number;
}

/** CompiledEntity is one end of a compiled rule; every field given must match. */
export interface CompiledEntity {
  /** set names the IP set of the endpoints the entity's selectors match; absent: any endpoint. */
  set?: string;
  /** nets are canonical CIDRs the address must be in (any of them). */
  nets?: string[];
  /** ports the traffic must use (any of them); only with protocol TCP, UDP or SCTP. */
  ports?: PortRange[];
}

/** CompiledRule is one rule, with its position in the policy's spec for explanations and counters. */
export interface CompiledRule {
  /** index is the rule's position in spec.ingress or spec.egress. */
  index: number;
  action: PolicyAction;
  protocol?: PolicyProtocol;
  source?: CompiledEntity;
  destination?: CompiledEntity;
}

/** CompiledPolicy is a MeshNetworkPolicy ready to render. A direction it does not apply to is absent;
 * a direction it applies to with no rules denies all traffic of its endpoints in that direction. */
export interface CompiledPolicy {
  /** key is namespace/name. */
  key: string;
  /** order as in the spec; policies without an order come after all ordered ones. */
  order?: number;
  /** appliesTo names the IP set of the local endpoints the policy selects. */
  appliesTo: string;
  ingress?: CompiledRule[];
  egress?: CompiledRule[];
}

/** IPSetSpec is the selector behind an IP set: the policy's selector with its scope made explicit. */
export interface IPSetSpec {
  /** name is ipSetName(uniqueID). */
  name: string;
  /** selector is the canonical, scoped selector. */
  selector: string;
  /** uniqueID is Calico's unique ID of selector. */
  uniqueID: string;
}

/** PolicyModel is what a node renders: the policies in evaluation order, and each IP set's members
 * (canonical IPv4 and IPv6 addresses, no prefixes) by set name. */
export interface PolicyModel {
  policies: CompiledPolicy[];
  sets: ReadonlyMap<string, ReadonlySet<string>>;
}

/** comparePolicies orders policies for evaluation: by order (absent last), then by key. */
export function comparePolicies(a: CompiledPolicy, b: CompiledPolicy): number {
  const ao = a.order ?? Infinity;
  const bo = b.order ?? Infinity;
  if (ao !== bo) return ao < bo ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** POLICY_CONDITION is the Node condition type fedmesh-node writes about policy enforcement. */
export const POLICY_CONDITION = 'FedmeshPolicyReady';

/** PolicyConditionReason says why enforcement is current (Enforced) or not: the view is not complete
 * yet (WaitingForSync: the kernel keeps its rules meanwhile) or applying failed (ApplyFailed). */
export type PolicyConditionReason = 'Enforced' | 'WaitingForSync' | 'ApplyFailed';
