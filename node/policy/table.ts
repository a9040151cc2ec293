// table.ts: the shape of fedmesh's policy table (`table inet fedmesh-policy`) as render produces it
// and apply compares it, and the names of what is in it. Names carry their role: `<set>.v4` and
// `<set>.v6` are the two families of one IP set (hash sets: pod and host identities are plain
// addresses), `pod-in-v4`... are the verdict maps from a local pod's address to its chain,
// `pod-in/<address>` and `pod-out/<address>` are a pod's chains, `policy-in/<ns>/<name>` and
// `policy-out/<ns>/<name>` a policy's rules in one direction.
import { createHash } from 'node:crypto';

/** POLICY_TABLE is fedmesh's nftables table for policy (family inet), apart from the dataplane's. */
export const POLICY_TABLE = 'fedmesh-policy';

/** Direction is the side of a local pod the traffic is checked for: to it (in) or from it (out). */
export type Direction = 'in' | 'out';

/** Family is an IP version. */
export type Family = 4 | 6;

/** BaseHook makes a chain a base chain: the netfilter hook and priority it is attached to. */
export interface BaseHook {
  hook: 'forward' | 'input';
  priority: number;
}

/** ChainView is what apply compares of a chain: its hook and its rules' identities. */
export interface ChainView {
  base?: BaseHook;
  /** ids are the rules' comments in order (a rule fedmesh did not write has none: ''). */
  ids: string[];
}

/** SetView is one family's IP set: members holds addresses of both families, the set takes its own. */
export interface SetView {
  family: Family;
  members: ReadonlySet<string>;
}

/** TableView is the table as far as apply compares it: what was applied last, or what nft lists. */
export interface TableView {
  sets: ReadonlyMap<string, SetView>;
  /** maps are the verdict maps by name: address to the chain it jumps to. */
  maps: ReadonlyMap<string, ReadonlyMap<string, string>>;
  chains: ReadonlyMap<string, ChainView>;
}

/** Chain is a chain as rendered: its rules in nft syntax (each ending in its identity comment). */
export interface Chain extends ChainView {
  rules: string[];
  /** jumps are the policy chains a pod chain jumps to, in order. */
  jumps?: string[];
}

/** RenderedSet is a set as rendered, with the conntrack filters that select the flows its
 * members start (source sets, `-s`) or receive (destination sets, `-d`): a removed member's. */
export interface RenderedSet extends SetView {
  cut: ('-s' | '-d')[];
}

/** PolicyTable is the desired state of the table. */
export interface PolicyTable extends TableView {
  sets: ReadonlyMap<string, RenderedSet>;
  chains: ReadonlyMap<string, Chain>;
}

/** EMPTY_VIEW is a table that does not exist. */
export const EMPTY_VIEW: TableView = { sets: new Map(), maps: new Map(), chains: new Map() };

/** MAPS are the verdict map names by direction and family. */
export const MAPS: Record<Direction, Record<Family, string>> = {
  in: { 4: 'pod-in-v4', 6: 'pod-in-v6' },
  out: { 4: 'pod-out-v4', 6: 'pod-out-v6' },
};

/** familyOf is the family of a canonical address. */
export const familyOf = (addr: string): Family => (addr.includes(':') ? 6 : 4);

// An nft identifier: a letter, '_' or '.', then letters, digits and /\-_. (nft's scanner).
const IDENT = /^[A-Za-z_.][A-Za-z0-9/_.-]*$/;
const MAX_NAME = 200;

/** hash12 is a short stable digest of text. */
export function hash12(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

// safeName keeps a readable name when nft accepts it, otherwise a digest of it.
function safeName(prefix: string, name: string): string {
  const full = `${prefix}${name}`;
  return IDENT.test(full) && full.length <= MAX_NAME ? full : `${prefix}h${hash12(name)}`;
}

/** setName is the nft set of one family of an IP set. */
export const setName = (ipSet: string, family: Family): string => safeName('', `${ipSet}.v${family}`);

/** policyChain is the chain of a policy's rules in one direction (key is namespace/name). */
export const policyChain = (key: string, dir: Direction): string => safeName(`policy-${dir}/`, key);

/** podChain is a local pod's chain in one direction, named by its first address. */
export const podChain = (addr: string, dir: Direction): string => `pod-${dir}/${addr.replace(/:/g, '_')}`;

/** quote makes text safe inside an nft double-quoted string. */
export const quote = (text: string): string => `"${text.replace(/["\\\n]/g, '_')}"`;

/** withId appends a rule's identity comment (label and a digest of the rule) to its text. */
export function withId(rule: string, label: string): { text: string; id: string } {
  const id = `${label} ${hash12(rule)}`.trim();
  return { text: `${rule} comment ${quote(id)}`, id };
}
