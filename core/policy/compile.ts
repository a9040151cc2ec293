// compile.ts: a MeshNetworkPolicy becomes a CompiledPolicy (api/policy.ts) and the IP sets it names.
// Every selector gets its scope made explicit (Calico's rules for namespaced policies), so a set
// means the same thing wherever it is evaluated and equal scoped selectors share one set:
//   - the policy's selector picks local workloads of its own namespace;
//   - a rule selector without namespaceSelector picks workloads of the same-named namespace in any
//     cluster; with namespaceSelector, workloads of namespaces whose labels match (as pcns.*), and
//     with namespaceSelector global(), host endpoints (which have no namespace).
import {
  CLUSTER_LABEL,
  ipSetName,
  NAMESPACE_LABEL,
  type CompiledEntity,
  type CompiledPolicy,
  type CompiledRule,
  type EntityRule,
  type IPSetSpec,
  type MeshNetworkPolicy,
  type PortRange,
  type Rule,
} from '../../api/index.js';
import type { Core } from '../index.js';
import { formatCidr, parseCidr } from '../ip.js';
import { SelectorError } from '../selector.js';

/** PolicyProblem is one reason a policy cannot be compiled, with the field it concerns. */
export interface PolicyProblem {
  field: string;
  message: string;
}

/** CompileResult is a compiled policy and its sets, or every problem found (nothing half-compiled). */
export type CompileResult = { policy: CompiledPolicy; sets: IPSetSpec[] } | { problems: PolicyProblem[] };

/** compilePolicy compiles a policy of the cluster named localCluster. */
export function compilePolicy(core: Core, mnp: MeshNetworkPolicy, localCluster: string): CompileResult {
  const c = new Compiler(core, mnp.metadata.namespace ?? 'default');
  const spec = mnp.spec;
  const appliesTo = c.set(
    'spec.selector',
    spec.selector,
    (s) => `(${s}) && ${NAMESPACE_LABEL} == "${c.namespace}" && ${CLUSTER_LABEL} == "${localCluster}"`,
  );
  const types = spec.types ?? (spec.egress?.length ? ['Ingress', 'Egress'] : ['Ingress']);
  const ingress = types.includes('Ingress') ? c.rules('spec.ingress', spec.ingress ?? []) : undefined;
  const egress = types.includes('Egress') ? c.rules('spec.egress', spec.egress ?? []) : undefined;
  if (c.problems.length > 0 || appliesTo === undefined) return { problems: c.problems };
  const policy: CompiledPolicy = {
    key: `${c.namespace}/${mnp.metadata.name ?? ''}`,
    ...(spec.order !== undefined && { order: spec.order }),
    appliesTo,
    ...(ingress && { ingress }),
    ...(egress && { egress }),
  };
  return { policy, sets: [...c.sets.values()] };
}

class Compiler {
  readonly problems: PolicyProblem[] = [];
  readonly sets = new Map<string, IPSetSpec>();

  constructor(
    readonly core: Core,
    readonly namespace: string,
  ) {}

  // canonical parses a user selector, recording a problem when it is invalid.
  canonical(field: string, src: string, prefix = ''): string | undefined {
    try {
      const s = this.core.parse(src);
      try {
        return prefix ? s.prefixed(prefix) : s.canonical;
      } finally {
        s.dispose();
      }
    } catch (e) {
      if (!(e instanceof SelectorError)) throw e;
      this.problems.push({ field, message: `invalid selector: ${e.message}` });
      return undefined;
    }
  }

  // set scopes a valid selector with scope() and returns the name of its IP set.
  set(field: string, src: string, scope: (canonical: string) => string): string | undefined {
    const canonical = this.canonical(field, src);
    if (canonical === undefined) return undefined;
    const info = this.core.inspect(scope(canonical));
    if (!info.valid) throw new Error(`scoped selector did not parse: ${info.error}`); // a bug, not input
    const name = ipSetName(info.uniqueID);
    this.sets.set(name, { name, selector: info.canonical, uniqueID: info.uniqueID });
    return name;
  }

  rules(field: string, rules: readonly Rule[]): CompiledRule[] {
    return rules.map((r, index) => this.rule(`${field}[${index}]`, r, index));
  }

  rule(field: string, r: Rule, index: number): CompiledRule {
    const portsAllowed = r.protocol === 'TCP' || r.protocol === 'UDP' || r.protocol === 'SCTP';
    const source = r.source && this.entity(`${field}.source`, r.source, portsAllowed);
    const destination = r.destination && this.entity(`${field}.destination`, r.destination, portsAllowed);
    return {
      index,
      action: r.action,
      ...(r.protocol && { protocol: r.protocol }),
      ...(source && { source }),
      ...(destination && { destination }),
    };
  }

  entity(field: string, e: EntityRule, portsAllowed: boolean): CompiledEntity {
    const out: CompiledEntity = {};
    const set = this.entitySet(field, e);
    if (set !== undefined) out.set = set;
    if (e.nets?.length) out.nets = this.nets(`${field}.nets`, e.nets);
    if (e.ports?.length) {
      if (!portsAllowed)
        this.problems.push({ field: `${field}.ports`, message: 'ports need protocol TCP, UDP or SCTP' });
      else out.ports = this.ports(`${field}.ports`, e.ports);
    }
    return out;
  }

  entitySet(field: string, e: EntityRule): string | undefined {
    if (e.selector === undefined && e.namespaceSelector === undefined) return undefined;
    const sel = e.selector ?? 'all()';
    if (e.namespaceSelector === undefined)
      return this.set(`${field}.selector`, sel, (s) => `(${s}) && ${NAMESPACE_LABEL} == "${this.namespace}"`);
    const ns = this.canonical(`${field}.namespaceSelector`, e.namespaceSelector, 'pcns.');
    if (ns === undefined) return undefined;
    if (ns === 'global()')
      return this.set(`${field}.selector`, sel, (s) => `(${s}) && !has(${NAMESPACE_LABEL})`);
    return this.set(`${field}.selector`, sel, (s) => `(${s}) && has(${NAMESPACE_LABEL}) && (${ns})`);
  }

  nets(field: string, nets: readonly string[]): string[] {
    const out: string[] = [];
    nets.forEach((n, i) => {
      const c = parseCidr(n);
      if (c === null)
        this.problems.push({ field: `${field}[${i}]`, message: `not a CIDR: ${JSON.stringify(n)}` });
      else out.push(formatCidr(c));
    });
    return out;
  }

  ports(field: string, ports: readonly (number | string)[]): PortRange[] {
    const out: PortRange[] = [];
    ports.forEach((p, i) => {
      const r = parsePort(p);
      if (typeof r === 'string') this.problems.push({ field: `${field}[${i}]`, message: r });
      else out.push(r);
    });
    return out;
  }
}

const isPort = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 65535;

/** parsePort reads 5432, "5432" or "8000:8080"; a string is returned as the problem otherwise. */
export function parsePort(p: number | string): PortRange | string {
  if (typeof p === 'number') return isPort(p) ? { first: p, last: p } : `port ${p} is not in 1-65535`;
  const m = /^(\d{1,5})(?::(\d{1,5}))?$/.exec(p);
  if (m === null)
    return `named port ${JSON.stringify(p)} is not supported yet: give a number or a range such as "8000:8080"`;
  const first = Number(m[1]);
  const last = m[2] === undefined ? first : Number(m[2]);
  if (!isPort(first) || !isPort(last)) return `port range ${JSON.stringify(p)} is not within 1-65535`;
  if (first > last) return `port range ${JSON.stringify(p)} ends before it starts`;
  return { first, last };
}
