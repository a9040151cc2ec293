// nft.ts: fedmesh's nftables table. It keeps mesh traffic out of masquerade: a nat chain at
// srcnat - 1 binds connections to a remote pod CIDR to their own source address, so a
// masquerade rule of the primary CNI at srcnat (iptables-nft or nft) finds them already bound
// and leaves them alone (an `accept` would not: nat chains after it would still run).
// The table is replaced in one transaction (create, delete, declare), so nothing half-applied
// is ever seen and existing connections keep their NAT bindings.
import { NFT_TABLE } from './types.js';

/** NftState is what the diff compares: the two sets' elements and the chain's rule count. */
export interface NftState {
  mesh4: string[];
  mesh6: string[];
  rules: number;
}

/** EXEMPT_RULES is the number of rules of fedmesh's postrouting chain. */
export const EXEMPT_RULES = 2;

/** renderTable is the nft script that replaces fedmesh's table with one exempting the given CIDRs. */
export function renderTable(mesh4: string[], mesh6: string[]): string {
  const elements = (cidrs: string[]): string =>
    cidrs.length ? `\n    elements = { ${cidrs.join(', ')} }` : '';
  return `table inet ${NFT_TABLE} {}
delete table inet ${NFT_TABLE}
table inet ${NFT_TABLE} {
  set mesh4 {
    type ipv4_addr
    flags interval${elements(mesh4)}
  }
  set mesh6 {
    type ipv6_addr
    flags interval${elements(mesh6)}
  }
  chain postrouting {
    type nat hook postrouting priority srcnat - 1; policy accept;
    ip daddr @mesh4 snat ip to ip saddr
    ip6 daddr @mesh6 snat ip6 to ip6 saddr
  }
}
`;
}

/** deleteTable is the nft script that removes fedmesh's table. */
export const deleteTable = (): string => `delete table inet ${NFT_TABLE}\n`;

type Elem = string | { prefix?: { addr: string; len: number }; range?: [string, string] };
interface NftItem {
  set?: { name: string; elem?: Elem[] };
  rule?: { chain: string };
}

/** parseNftTable reads `nft -j list table inet fedmesh` output. */
export function parseNftTable(text: string): NftState {
  const items = (JSON.parse(text) as { nftables?: NftItem[] }).nftables ?? [];
  const state: NftState = { mesh4: [], mesh6: [], rules: 0 };
  for (const it of items) {
    if (it.set && (it.set.name === 'mesh4' || it.set.name === 'mesh6'))
      state[it.set.name] = (it.set.elem ?? []).map(elemText).sort();
    if (it.rule?.chain === 'postrouting') state.rules++;
  }
  return state;
}

function elemText(e: Elem): string {
  if (typeof e === 'string') return e.includes(':') ? `${e}/128` : `${e}/32`;
  if (e.prefix) return `${e.prefix.addr}/${e.prefix.len}`;
  return e.range ? `${e.range[0]}-${e.range[1]}` : JSON.stringify(e);
}
