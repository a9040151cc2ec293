// types.ts: the node's desired dataplane state and the names that mark what fedmesh owns in the
// kernel (docs/adr/0006-node-dataplane-ownership.md): one VXLAN device, routes of one protocol
// number, one nftables table.

/** DEVICE is the name of fedmesh's VXLAN device; everything on it is fedmesh's. */
export const DEVICE = 'vxlan.fedmesh';
/** ROUTE_PROTOCOL marks fedmesh's routes (rtnetlink protocol number, unassigned by iproute2). */
export const ROUTE_PROTOCOL = 211;
/** NFT_TABLE is fedmesh's nftables table (family inet). */
export const NFT_TABLE = 'fedmesh';
/** VXLAN_OVERHEAD is the bytes VXLAN over IPv4 adds (outer IP, UDP, VXLAN, inner Ethernet). */
export const VXLAN_OVERHEAD = 50;

/** Overlay is the local VXLAN tunnel endpoint. */
export interface Overlay {
  vni: number;
  port: number;
  /** mtu of the device; undefined leaves the kernel's default (uplink MTU minus the overhead). */
  mtu?: number;
  /** Underlay IPv4 address of this node (the VTEP source). */
  local: string;
  /** Uplink device that carries the underlay address. */
  uplink: string;
  /** mac of the local VTEP (api/ vtepMAC of this cluster and node). */
  mac: string;
}

/** Peer is one remote node: where its VTEP is and which pod CIDRs it has. */
export interface Peer {
  /** key names the peer (<cluster>.<node>) in logs and metrics. */
  key: string;
  cluster: string;
  /** Underlay IPv4 address of the remote VTEP. */
  address: string;
  mac: string;
  podCIDRs: string[];
}

/** Desired is everything fedmesh wants in the node's kernel. */
export interface Desired {
  /** overlay set: VXLAN mode; undefined: routed mode (no device, no routes). */
  overlay?: Overlay;
  /** peers are the remote nodes (every cluster except the local one). */
  peers: Peer[];
}
