// plan.ts: the nft transaction that takes the policy table from what it holds (the last applied
// state, or what nft lists after a restart) to the desired state, and the conntrack deletions that
// go with it. Sets change by element (never re-sent), chains are flushed and rewritten only when
// their rules changed, verdict maps change by element; what is no longer wanted is deleted after
// everything that referred to it was rewritten, in the same transaction. Flows that lost what
// allowed them are listed for deletion: every flow of an address removed from an IP set, and the
// flows of a pod in a direction whose policies changed (the list, or a policy's rules).
import {
  familyOf,
  MAPS,
  POLICY_TABLE,
  type BaseHook,
  type ChainView,
  type PolicyTable,
  type TableView,
} from './table.js';

/** Plan is one apply: the nft transaction and the flows to delete once it succeeded. */
export interface Plan {
  /** nft lines of one transaction (none: the table is as desired). */
  nft: string[];
  /** conntrack lines for `conntrack -R -`. */
  conntrack: string[];
  /** elementsAdded and elementsDeleted count set elements changed. */
  elementsAdded: number;
  elementsDeleted: number;
  /** chainsWritten and chainsDeleted name the chains rewritten (or created) and deleted. */
  chainsWritten: string[];
  chainsDeleted: string[];
}

const T = `inet ${POLICY_TABLE}`;
const sameBase = (a?: BaseHook, b?: BaseHook): boolean => a?.hook === b?.hook && a?.priority === b?.priority;
const sameIds = (a: ChainView, b: ChainView): boolean =>
  a.ids.length === b.ids.length && a.ids.every((id, i) => id === b.ids[i]);
const baseSpec = (b: BaseHook): string =>
  ` { type filter hook ${b.hook} priority ${b.priority}; policy accept; }`;

interface Delta {
  add: string[];
  del: string[];
}

// memberDelta compares two member sets in one pass over next, and a pass over old only when
// something of old is missing from next.
function memberDelta(next: ReadonlySet<string>, old: ReadonlySet<string> | undefined): Delta {
  if (!old) return { add: [...next], del: [] };
  const add: string[] = [];
  let common = 0;
  for (const m of next)
    if (old.has(m)) common++;
    else add.push(m);
  const del: string[] = [];
  if (common < old.size) for (const m of old) if (!next.has(m)) del.push(m);
  return { add, del };
}

// declare adds the maps, sets and chains that do not exist yet (a chain whose hook changed is
// recreated).
function declare(next: PolicyTable, prev: TableView, out: string[]): void {
  for (const [name] of next.maps)
    if (!prev.maps.has(name)) {
      const type = name === MAPS.in[6] || name === MAPS.out[6] ? 'ipv6_addr' : 'ipv4_addr';
      out.push(`add map ${T} ${name} { type ${type} : verdict; }`);
    }
  for (const [name, s] of next.sets)
    if (!prev.sets.has(name)) out.push(`add set ${T} ${name} { type ipv${s.family}_addr; }`);
  for (const [name, c] of next.chains) {
    const old = prev.chains.get(name);
    if (old && !sameBase(old.base, c.base)) out.push(`flush chain ${T} ${name}`, `delete chain ${T} ${name}`);
    if (!old || !sameBase(old.base, c.base))
      out.push(`add chain ${T} ${name}${c.base ? baseSpec(c.base) : ''}`);
  }
}

// elements changes set members; removed ones lose their flows.
function elements(next: PolicyTable, prev: TableView, p: Plan, cut: Set<string>): void {
  let last: { next: ReadonlySet<string>; old?: ReadonlySet<string>; d: Delta } | undefined;
  for (const [name, s] of next.sets) {
    const old = prev.sets.get(name);
    if (old?.members === s.members) continue;
    // Both families of an IP set share its members: one comparison serves both.
    const d =
      last?.next === s.members && last.old === old?.members ? last.d : memberDelta(s.members, old?.members);
    last = { next: s.members, old: old?.members, d };
    const add = d.add.filter((m) => familyOf(m) === s.family);
    const del = d.del.filter((m) => familyOf(m) === s.family);
    if (add.length) p.nft.push(`add element ${T} ${name} { ${add.join(', ')} }`);
    if (del.length) p.nft.push(`delete element ${T} ${name} { ${del.join(', ')} }`);
    for (const m of del) for (const flag of s.cut) cut.add(`-D ${flag} ${m}`);
    p.elementsAdded += add.length;
    p.elementsDeleted += del.length;
  }
}

// chains rewrites each chain whose rules differ (or that is new) and returns the rewritten names.
function chains(next: PolicyTable, prev: TableView, p: Plan): Set<string> {
  const written = new Set<string>();
  for (const [name, c] of next.chains) {
    const old = prev.chains.get(name);
    if (old === c || (old && sameBase(old.base, c.base) && sameIds(old, c))) continue;
    if (old && sameBase(old.base, c.base)) p.nft.push(`flush chain ${T} ${name}`);
    for (const r of c.rules) p.nft.push(`add rule ${T} ${name} ${r}`);
    written.add(name);
    p.chainsWritten.push(name);
  }
  return written;
}

// maps changes verdict map elements: a changed target is deleted and added again.
function maps(next: PolicyTable, prev: TableView, out: string[]): void {
  for (const [name, m] of next.maps) {
    const old = prev.maps.get(name) ?? new Map<string, string>();
    const del = [...old].filter(([k, v]) => m.get(k) !== v).map(([k]) => k);
    const add = [...m].filter(([k, v]) => old.get(k) !== v).map(([k, v]) => `${k} : jump ${v}`);
    if (del.length) out.push(`delete element ${T} ${name} { ${del.join(', ')} }`);
    if (add.length) out.push(`add element ${T} ${name} { ${add.join(', ')} }`);
  }
}

// removals deletes chains, sets and maps no longer wanted: every chain is emptied first, so jumps
// between removed chains do not keep them busy.
function removals(next: PolicyTable, prev: TableView, p: Plan): void {
  const gone = [...prev.chains.keys()].filter((n) => !next.chains.has(n));
  for (const n of gone) p.nft.push(`flush chain ${T} ${n}`);
  for (const n of gone) p.nft.push(`delete chain ${T} ${n}`);
  p.chainsDeleted.push(...gone);
  for (const n of prev.maps.keys()) if (!next.maps.has(n)) p.nft.push(`delete map ${T} ${n}`);
  for (const n of prev.sets.keys()) if (!next.sets.has(n)) p.nft.push(`delete set ${T} ${n}`);
}

// policyIds are the rules of a pod chain that say which policies apply (jumps, default deny).
const policyIds = (c: ChainView | undefined): string[] =>
  (c?.ids ?? []).filter((id) => id.startsWith('policy ') || id.startsWith('default-deny '));

// podCuts lists the flows of pods whose policies in a direction changed: another list of policies
// or a policy chain rewritten.
function podCuts(next: PolicyTable, prev: TableView, written: Set<string>, cut: Set<string>): void {
  for (const dir of ['in', 'out'] as const) {
    const flag = dir === 'in' ? '-d' : '-s';
    const changed = new Set<string>();
    for (const [name, c] of next.chains) {
      if (!name.startsWith(`pod-${dir}/`)) continue;
      const [now, was] = [policyIds(c), policyIds(prev.chains.get(name))];
      const relisted = now.length !== was.length || now.some((id, i) => id !== was[i]);
      if ((now.length && relisted) || c.jumps?.some((j) => written.has(j))) changed.add(name);
    }
    if (!changed.size) continue;
    for (const f of [4, 6] as const)
      for (const [ip, chain] of next.maps.get(MAPS[dir][f]) ?? [])
        if (changed.has(chain)) cut.add(`-D ${flag} ${ip}`);
  }
}

/** plan computes the transaction from prev to next; exists says whether the table is there. */
export function plan(next: PolicyTable, prev: TableView, exists: boolean): Plan {
  const p: Plan = {
    nft: [],
    conntrack: [],
    elementsAdded: 0,
    elementsDeleted: 0,
    chainsWritten: [],
    chainsDeleted: [],
  };
  if (!exists) p.nft.push(`add table ${T}`);
  declare(next, prev, p.nft);
  const cut = new Set<string>();
  elements(next, prev, p, cut);
  const written = chains(next, prev, p);
  maps(next, prev, p.nft);
  removals(next, prev, p);
  podCuts(next, prev, written, cut);
  p.conntrack = [...cut];
  return p;
}
