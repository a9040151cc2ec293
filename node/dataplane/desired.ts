// desired.ts: expands the desired state into the kernel entries fedmesh wants, keyed as the
// kernel reports them, and decides the one owner of each key when peers claim the same one
// (first peer by name wins; the others are reported as conflicts).
import { canonicalCIDR, family, linkLocalFromMAC, outermost } from './addr.js';
import { DEVICE, type Desired, type Peer } from './types.js';

/** RouteEntry is one route fedmesh wants: destination, next hop, device. */
export interface RouteEntry {
  dst: string;
  gateway: string;
  dev: string;
  onlink: boolean;
}

/** Entries are the kernel entries of a desired state. */
export interface Entries {
  routes: Map<string, RouteEntry>;
  /** neighbours: next-hop IP to VTEP MAC, on fedmesh's device. */
  neighbours: Map<string, string>;
  /** fdb: VTEP MAC to underlay address, on fedmesh's device. */
  fdb: Map<string, string>;
  mesh4: string[];
  mesh6: string[];
  /** conflicts name keys two peers claimed (the later peer lost). */
  conflicts: string[];
}

/** expand computes the entries of a desired state. */
export function expand(d: Desired): Entries {
  const e: Entries = {
    routes: new Map(),
    neighbours: new Map(),
    fdb: new Map(),
    mesh4: [],
    mesh6: [],
    conflicts: [],
  };
  const peers = [...d.peers].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const cidrs = peers.flatMap((p) => p.podCIDRs.map(canonicalCIDR).filter((c): c is string => !!c));
  const outer = outermost(cidrs);
  e.mesh4 = outer.filter((c) => family(c) === 4);
  e.mesh6 = outer.filter((c) => family(c) === 6);
  if (d.overlay) for (const p of peers) addPeer(e, p);
  return e;
}

// claim sets key to value unless another peer holds it with another value.
function claim<V>(
  m: Map<string, V>,
  key: string,
  value: V,
  same: (a: V, b: V) => boolean,
  peer: Peer,
  e: Entries,
): boolean {
  const held = m.get(key);
  if (held !== undefined && !same(held, value)) {
    e.conflicts.push(`${peer.key}: ${key}`);
    return false;
  }
  m.set(key, value);
  return true;
}

function addPeer(e: Entries, p: Peer): void {
  if (family(p.address) !== 4) {
    e.conflicts.push(`${p.key}: underlay address ${JSON.stringify(p.address)} is not IPv4`);
    return;
  }
  const mac = p.mac.toLowerCase();
  const eq = (a: string, b: string): boolean => a === b;
  if (!claim(e.fdb, mac, p.address, eq, p, e)) return;
  const ll = linkLocalFromMAC(mac);
  for (const raw of p.podCIDRs) {
    const dst = canonicalCIDR(raw);
    if (!dst) {
      e.conflicts.push(`${p.key}: invalid pod CIDR ${JSON.stringify(raw)}`);
      continue;
    }
    const v4 = family(dst) === 4;
    const gw = v4 ? p.address : ll;
    const route: RouteEntry = { dst, gateway: gw, dev: DEVICE, onlink: v4 };
    if (!claim(e.routes, dst, route, (a, b) => a.gateway === b.gateway, p, e)) continue;
    claim(e.neighbours, gw, mac, eq, p, e);
  }
}
