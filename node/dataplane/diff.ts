// diff.ts: the changes that take the kernel from what it reports to the desired entries, as
// `ip -batch` and `bridge -batch` lines and one nft script. Nothing outside fedmesh's marks is
// ever named: a destination held by a route of another protocol is skipped and reported.
import type { Entries, RouteEntry } from './desired.js';
import { EXEMPT_RULES, deleteTable, renderTable } from './nft.js';
import type { LinkState, Observed, RouteState } from './observe.js';
import { DEVICE, ROUTE_PROTOCOL, type Overlay } from './types.js';

/** Changes are the commands of one reconcile; empty lists mean nothing to do. */
export interface Changes {
  ip: string[];
  bridge: string[];
  nft?: string;
  /** skipped names destinations held by routes fedmesh does not own. */
  skipped: string[];
}

/** isEmpty tells whether changes has nothing to apply. */
export const isEmpty = (c: Changes): boolean => c.ip.length === 0 && c.bridge.length === 0 && !c.nft;

/** diff computes the changes from obs to the entries of want (overlay undefined: routed mode). */
export function diff(overlay: Overlay | undefined, want: Entries, obs: Observed): Changes {
  const c: Changes = { ip: [], bridge: [], skipped: [] };
  const recreate = linkChanges(overlay, obs.link, c.ip);
  // A deleted device takes its neighbours, FDB entries and routes with it.
  const gone = recreate || (!overlay && obs.link !== undefined);
  const neighbours = gone ? new Map<string, string>() : obs.neighbours;
  const fdb = gone ? new Map<string, string>() : obs.fdb;
  routeChanges(want, obs, gone, neighbours, c);
  for (const [mac, dst] of fdb)
    if (want.fdb.get(mac) !== dst) c.bridge.push(`fdb del ${mac} dev ${DEVICE} dst ${dst} self`);
  for (const [mac, dst] of want.fdb)
    if (fdb.get(mac) !== dst) c.bridge.push(`fdb replace ${mac} dev ${DEVICE} dst ${dst} self permanent`);
  if (!sameNft(want, obs)) c.nft = renderTable(want.mesh4, want.mesh6);
  return c;
}

/** removal is the changes that remove everything fedmesh owns in obs. */
export function removal(obs: Observed): Changes {
  const c: Changes = { ip: [], bridge: [], skipped: [] };
  if (obs.link) c.ip.push(`link del ${DEVICE}`);
  for (const r of obs.routes.values())
    if (!(obs.link && r.dev === DEVICE)) c.ip.push(`route del ${r.dst} proto ${ROUTE_PROTOCOL}`);
  if (obs.nft) c.nft = deleteTable();
  return c;
}

// routeChanges appends route and neighbour lines: stale routes first, then next hops before the
// routes that use them, then neighbours no route needs.
function routeChanges(
  want: Entries,
  obs: Observed,
  gone: boolean,
  neighbours: Map<string, string>,
  c: Changes,
): void {
  for (const [dst, r] of obs.routes)
    if (!want.routes.has(dst) && !(gone && r.dev === DEVICE))
      c.ip.push(`route del ${dst} proto ${ROUTE_PROTOCOL}`);
  for (const [ip, mac] of want.neighbours)
    if (neighbours.get(ip) !== mac)
      c.ip.push(`neigh replace ${ip} lladdr ${mac} dev ${DEVICE} nud permanent`);
  for (const [dst, r] of want.routes) {
    if (obs.foreign.has(dst)) c.skipped.push(dst);
    else if (gone || !sameRoute(r, obs.routes.get(dst))) c.ip.push(routeLine(r));
  }
  for (const ip of neighbours.keys())
    if (!want.neighbours.has(ip)) c.ip.push(`neigh del ${ip} dev ${DEVICE}`);
}

// linkChanges appends the device's changes and tells whether it is (re)created.
function linkChanges(o: Overlay | undefined, l: LinkState | undefined, out: string[]): boolean {
  if (!o) {
    if (l) out.push(`link del ${DEVICE}`);
    return false;
  }
  // VNI, port, local address and uplink cannot change on a live device.
  const fixed = l && l.vni === o.vni && l.port === o.port && l.local === o.local && l.uplink === o.uplink;
  if (l && !fixed) out.push(`link del ${DEVICE}`);
  if (!fixed)
    out.push(
      `link add ${DEVICE} type vxlan id ${o.vni} local ${o.local} dev ${o.uplink} dstport ${o.port} nolearning`,
    );
  const set: string[] = [];
  if (!fixed || l.mac !== o.mac) set.push(`address ${o.mac}`);
  if (o.mtu !== undefined && (!fixed || l.mtu !== o.mtu)) set.push(`mtu ${o.mtu}`);
  if (!fixed || !l.up) set.push('up');
  if (set.length) out.push(`link set ${DEVICE} ${set.join(' ')}`);
  return !fixed;
}

function sameRoute(a: RouteEntry | undefined, b: RouteState | undefined): boolean {
  return !!a && !!b && a.gateway === b.gateway && a.dev === b.dev && a.onlink === b.onlink;
}

function routeLine(r: RouteEntry): string {
  return `route replace ${r.dst} via ${r.gateway} dev ${r.dev}${r.onlink ? ' onlink' : ''} proto ${ROUTE_PROTOCOL}`;
}

function sameNft(want: Entries, obs: Observed): boolean {
  const t = obs.nft;
  const eq = (a: string[], b: string[]): boolean => {
    const [x, y] = [[...a].sort(), [...b].sort()];
    return x.length === y.length && x.every((v, i) => v === y[i]);
  };
  return !!t && t.rules === EXEMPT_RULES && eq(want.mesh4, t.mesh4) && eq(want.mesh6, t.mesh6);
}
