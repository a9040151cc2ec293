// observe.ts: reads what the kernel holds (ip -j, bridge -j, nft -j) into the shape the diff
// compares with the desired state: fedmesh's device, its routes (by protocol), the permanent
// neighbours and FDB entries of its device, its nft table, and the destinations of every other
// route (so fedmesh never replaces a route it does not own).
import { DEVICE, NFT_TABLE, ROUTE_PROTOCOL } from './types.js';
import { CommandError, parseList, type Runner } from './exec.js';
import { parseNftTable, type NftState } from './nft.js';

/** LinkState is fedmesh's VXLAN device as the kernel reports it. */
export interface LinkState {
  vni: number;
  port: number;
  local: string;
  uplink: string;
  mac: string;
  mtu: number;
  up: boolean;
}

/** RouteState is one route of the main table. */
export interface RouteState {
  dst: string;
  gateway?: string;
  dev?: string;
  onlink: boolean;
}

/** Observed is the kernel state the diff starts from. */
export interface Observed {
  link?: LinkState;
  /** routes are fedmesh's routes (its protocol), by destination. */
  routes: Map<string, RouteState>;
  /** foreign are the destinations of routes of any other protocol. */
  foreign: Set<string>;
  /** neighbours are the permanent neighbour entries on fedmesh's device: IP to MAC. */
  neighbours: Map<string, string>;
  /** fdb are the FDB entries of fedmesh's device: MAC to underlay address. */
  fdb: Map<string, string>;
  /** nft is fedmesh's table, undefined when absent. */
  nft?: NftState;
}

interface IpLink {
  ifname: string;
  mtu: number;
  address: string;
  flags: string[];
  linkinfo?: { info_data?: { id: number; local?: string; link?: string; port: number } };
}
interface IpRoute {
  dst: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  flags?: string[];
}

const OURS = new Set([String(ROUTE_PROTOCOL), 'fedmesh']);

/** observe reads the kernel state fedmesh compares against (6 processes at most). */
export async function observe(run: Runner): Promise<Observed> {
  const [links, routes4, routes6, table] = await Promise.all([
    run.ipJSON<IpLink>(['-d', 'link', 'show', 'type', 'vxlan']),
    run.ipJSON<IpRoute>(['-4', 'route', 'show', 'table', 'main']),
    run.ipJSON<IpRoute>(['-6', 'route', 'show', 'table', 'main']),
    readTable(run),
  ]);
  const link = toLink(links.find((l) => l.ifname === DEVICE));
  const obs: Observed = { routes: new Map(), foreign: new Set(), neighbours: new Map(), fdb: new Map() };
  if (link) obs.link = link;
  if (table) obs.nft = table;
  for (const r of [...routes4, ...routes6]) {
    if (OURS.has(String(r.protocol ?? ''))) obs.routes.set(r.dst, toRoute(r));
    else obs.foreign.add(r.dst);
  }
  if (link) {
    const [neigh, fdb] = await Promise.all([
      run.ipJSON<{ dst: string; lladdr?: string; state?: string[] }>(['neigh', 'show', 'dev', DEVICE]),
      run.bridge(['-j', 'fdb', 'show', 'dev', DEVICE]),
    ]);
    for (const n of neigh)
      if (n.lladdr && n.state?.includes('PERMANENT')) obs.neighbours.set(n.dst, n.lladdr);
    for (const f of parseList<{ mac: string; dst?: string }>(fdb)) if (f.dst) obs.fdb.set(f.mac, f.dst);
  }
  return obs;
}

function toLink(l: IpLink | undefined): LinkState | undefined {
  const d = l?.linkinfo?.info_data;
  if (!l || !d) return undefined;
  return {
    vni: d.id,
    port: d.port,
    local: d.local ?? '',
    uplink: d.link ?? '',
    mac: l.address,
    mtu: l.mtu,
    up: l.flags.includes('UP'),
  };
}

function toRoute(r: IpRoute): RouteState {
  const out: RouteState = { dst: r.dst, onlink: r.flags?.includes('onlink') ?? false };
  if (r.gateway) out.gateway = r.gateway;
  if (r.dev) out.dev = r.dev;
  return out;
}

// readTable lists fedmesh's table; nft answers ENOENT ("No such file or directory") when it is absent.
async function readTable(run: Runner): Promise<NftState | undefined> {
  try {
    return parseNftTable(await run.nft(['-j', 'list', 'table', 'inet', NFT_TABLE]));
  } catch (err) {
    if (err instanceof CommandError && /No such file or directory/.test(err.stderr)) return undefined;
    throw err;
  }
}
