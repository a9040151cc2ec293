// plan.ts: the address and naming plan of one set of real test nodes. Every harness instance
// claims a slot (100-249) and derives from it names and addresses no other instance uses:
//   underlay  198.18.<slot>.0/24 on bridge fm<slot>br (the host is .1, nodes .11, .12, ...)
//   pods      10.<slot>.<16*cluster>.0/20 per cluster, 10.<slot>.<16*cluster+n>.0/24 per node
//   IPv6 (dual-stack nodes only)  fd10:<slot>::/64 underlay (host ::1, nodes ::11, ::12, ...),
//             pods fd10:<slot>:<cluster+1>::/48 per cluster, fd10:<slot>:<cluster+1>:<n>::/64 per
//             node (clear of this machine's own fd00::/64)
//   netns     fm<slot>-<node name>;  host veth fm<slot>v<k>;  cgroups /fm<slot>/...
// Only 198.18.0.0/15 is used for the underlay: 192.0.2.0/24 is the machine's own network.

/** SLOT_MIN and SLOT_MAX bound the slots (so 10.<slot>/16 never meets 10.0.0.0/24 services). */
export const SLOT_MIN = 100;
export const SLOT_MAX = 249;
/** MAX_NODES_PER_CLUSTER is how many /24 node CIDRs a cluster gets in its /20 (the first /24 stays unused). */
export const MAX_NODES_PER_CLUSTER = 15;
/** MAX_CLUSTERS is how many /20 cluster CIDRs fit in a slot's /16. */
export const MAX_CLUSTERS = 16;

/** NodePlan is everything that names one node. */
export interface NodePlan {
  cluster: string;
  /** Node name in its cluster, <cluster>-node-<n>. */
  name: string;
  /** 1-based index of the node within its cluster. */
  index: number;
  /** Underlay address (the node's InternalIP). */
  ip: string;
  podCIDR: string;
  /** Pod gateway (the bridge address on the node). */
  podGateway: string;
  /** The IPv6 counterparts, used when the nodes are dual-stack. */
  ip6: string;
  podCIDR6: string;
  podGateway6: string;
  netns: string;
  hostVeth: string;
  /** cgroup path (kubelet's cgroupRoot), the same in every v1 hierarchy. */
  cgroup: string;
}

/** ClusterPlan is a cluster's pod CIDR and its nodes. */
export interface ClusterPlan {
  name: string;
  clusterCIDR: string;
  clusterCIDR6: string;
  nodes: NodePlan[];
}

/** Plan is the layout of one harness instance. */
export interface Plan {
  slot: number;
  prefix: string;
  bridge: string;
  underlayCIDR: string;
  /** Host address on the underlay bridge: the kube-apiservers listen here. */
  hostIP: string;
  /** A resolver address nothing answers on, so pods never use the machine's resolver. */
  dnsIP: string;
  /** Covers every pod CIDR of this instance (blackholed on the host). */
  podSupernet: string;
  /** The IPv6 underlay, host address and pod supernet (dual-stack nodes only). */
  underlayCIDR6: string;
  hostIP6: string;
  podSupernet6: string;
  /** Top cgroup of the instance; containerd, kubelet and kube-proxy run in <cgroupTop>/daemons. */
  cgroupTop: string;
  clusters: ClusterPlan[];
}

/** planNodes lays out nodesPerCluster nodes for each cluster in slot. */
export function planNodes(slot: number, clusters: string[], nodesPerCluster: number): Plan {
  if (!Number.isInteger(slot) || slot < SLOT_MIN || slot > SLOT_MAX)
    throw new Error(`node slot ${slot} outside ${SLOT_MIN}-${SLOT_MAX}`);
  if (clusters.length < 1 || clusters.length > MAX_CLUSTERS)
    throw new Error(`real nodes support 1 to ${MAX_CLUSTERS} clusters, got ${clusters.length}`);
  if (!Number.isInteger(nodesPerCluster) || nodesPerCluster < 1 || nodesPerCluster > MAX_NODES_PER_CLUSTER)
    throw new Error(`nodes per cluster must be 1 to ${MAX_NODES_PER_CLUSTER}, got ${nodesPerCluster}`);
  const prefix = `fm${slot}`;
  let k = 0;
  const plans = clusters.map((cluster, ci): ClusterPlan => {
    const nodes = Array.from({ length: nodesPerCluster }, (_, i): NodePlan => {
      k++;
      const name = `${cluster}-node-${i + 1}`;
      const third = 16 * ci + i + 1;
      return {
        cluster,
        name,
        index: i + 1,
        ip: `198.18.${slot}.${10 + k}`,
        podCIDR: `10.${slot}.${third}.0/24`,
        podGateway: `10.${slot}.${third}.1`,
        ip6: `fd10:${slot}::${10 + k}`,
        podCIDR6: `fd10:${slot}:${ci + 1}:${i + 1}::/64`,
        podGateway6: `fd10:${slot}:${ci + 1}:${i + 1}::1`,
        netns: `${prefix}-${name}`,
        hostVeth: `${prefix}v${k}`,
        cgroup: `/${prefix}/${name}`,
      };
    });
    return {
      name: cluster,
      clusterCIDR: `10.${slot}.${16 * ci}.0/20`,
      clusterCIDR6: `fd10:${slot}:${ci + 1}::/48`,
      nodes,
    };
  });
  return {
    slot,
    prefix,
    bridge: `${prefix}br`,
    underlayCIDR: `198.18.${slot}.0/24`,
    hostIP: `198.18.${slot}.1`,
    dnsIP: `198.18.${slot}.53`,
    podSupernet: `10.${slot}.0.0/16`,
    underlayCIDR6: `fd10:${slot}::/64`,
    hostIP6: `fd10:${slot}::1`,
    podSupernet6: `fd10:${slot}::/32`,
    cgroupTop: `/${prefix}`,
    clusters: plans,
  };
}

/** allNodes lists the nodes of every cluster of a plan. */
export const allNodes = (p: Plan): NodePlan[] => p.clusters.flatMap((c) => c.nodes);
