// observe.ts: reads the policy table back from `nft -j list table inet fedmesh-policy`, as the view
// apply compares with the desired state: set elements, verdict map elements, each chain's hook and
// its rules' identity comments. A rule edited by hand loses fedmesh's comment (or is one fedmesh
// did not write), so its chain no longer compares equal and is rewritten.
import type { BaseHook, ChainView, Family, SetView, TableView } from './table.js';

type Verdict = { jump?: { target: string }; goto?: { target: string } } & Record<string, unknown>;
type Elem = string | { elem?: { val?: unknown } } | [unknown, Verdict];
interface NftItem {
  set?: { name: string; type: string; elem?: Elem[] };
  map?: { name: string; type: string; map: string; elem?: Elem[] };
  chain?: { name: string; type?: string; hook?: string; prio?: number; policy?: string };
  rule?: { chain: string; comment?: string };
}

const FAMILY: Record<string, Family> = { ipv4_addr: 4, ipv6_addr: 6 };

// key is an element's address (plain, or wrapped when it carries a timeout or comment).
function key(e: unknown): string {
  if (typeof e === 'string') return e;
  const val = (e as { elem?: { val?: unknown } })?.elem?.val;
  return typeof val === 'string' ? val : JSON.stringify(e);
}

// target is what a map element's verdict jumps to ('?…' for anything fedmesh does not write).
function target(v: Verdict): string {
  return v.jump?.target ?? `?${JSON.stringify(v)}`;
}

// baseOf is a chain's hook; a hook fedmesh would not declare (another type or policy) compares
// unequal to every desired one, so the chain is recreated.
function baseOf(c: NonNullable<NftItem['chain']>): BaseHook | undefined {
  if (!c.hook) return undefined;
  const ours = c.type === 'filter' && c.policy === 'accept' && (c.hook === 'forward' || c.hook === 'input');
  return { hook: c.hook as BaseHook['hook'], priority: ours ? (c.prio ?? 0) : NaN };
}

/** parseTable reads the JSON listing of the policy table. */
export function parseTable(text: string): TableView {
  const items = (JSON.parse(text) as { nftables?: NftItem[] }).nftables ?? [];
  const sets = new Map<string, SetView>();
  const maps = new Map<string, Map<string, string>>();
  const chains = new Map<string, ChainView>();
  for (const it of items) {
    if (it.set) {
      const members = new Set((it.set.elem ?? []).map(key));
      sets.set(it.set.name, { family: FAMILY[it.set.type] ?? 4, members });
    } else if (it.map) {
      const m = new Map<string, string>();
      for (const e of it.map.elem ?? []) if (Array.isArray(e)) m.set(key(e[0]), target(e[1]));
      maps.set(it.map.name, m);
    } else if (it.chain) {
      const base = baseOf(it.chain);
      chains.set(it.chain.name, { ...(base ? { base } : {}), ids: [] });
    } else if (it.rule) {
      chains.get(it.rule.chain)?.ids.push(it.rule.comment ?? '');
    }
  }
  return { sets, maps, chains };
}
