// network.ts: the underlay of a set of real test nodes: a bridge in the host network namespace
// (the kube-apiservers listen on its address), one network namespace per node joined to it by a
// veth pair, routes between the nodes' pod CIDRs, host routes back to the pods (so replies from
// a kube-apiserver to a pod do not follow the default route out of the machine), and blackhole
// routes so that no address of the instance can ever leave the host.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { allNodes, type NodePlan, type Plan } from './plan.js';

const run = promisify(execFile);

/** ip runs `ip -batch -` with the given lines (one transaction per call, stops at the first error). */
export async function ipBatch(lines: string[], netns?: string): Promise<void> {
  const args = [...(netns ? ['-n', netns] : []), '-batch', '-'];
  await new Promise<void>((resolve, reject) => {
    const child = execFile('ip', args, (err, _out, stderr) =>
      err ? reject(new Error(`ip ${args.join(' ')}: ${stderr.trim() || err.message}`)) : resolve(),
    );
    child.stdin?.end(lines.join('\n') + '\n');
  });
}

/** hostRoutes lists the host routes an instance adds, as `ip route del` arguments (comma-joined). */
export function hostRoutes(p: Plan): string[] {
  return [
    `blackhole,${p.podSupernet}`,
    `blackhole,${p.podSupernet6}`,
    `blackhole,10.0.0.0/24,metric,${1000 + p.slot}`,
  ];
}

/** createUnderlay makes the bridge with the host addresses (IPv4 and IPv6) and the blackhole routes. */
export async function createUnderlay(p: Plan): Promise<void> {
  await ipBatch([
    `link add ${p.bridge} type bridge`,
    `addr add ${p.hostIP}/24 dev ${p.bridge}`,
    `addr add ${p.hostIP6}/64 dev ${p.bridge} nodad`,
    `link set ${p.bridge} up`,
    ...hostRoutes(p).map((r) => `route add ${r.split(',').join(' ')}`),
  ]);
}

/** addPodRoutes routes each node's pod CIDR through the node (once the nodes are attached). */
export async function addPodRoutes(p: Plan): Promise<void> {
  await ipBatch(allNodes(p).map((n) => `route replace ${n.podCIDR} via ${n.ip} dev ${p.bridge}`));
}

/** PodRoutes says which pod CIDRs a node reaches over the underlay (see createNodeNetns). */
export type PodRoutes = boolean | 'cluster';

/**
 * createNodeNetns makes a node's namespace, its uplink (IPv4 and IPv6) and its routes to other
 * nodes' pod CIDRs: every node's (podRoutes true), only its own cluster's ('cluster', as a
 * cluster's primary network would; other clusters are left to an overlay), or none (false); the
 * IPv6 pod CIDRs too when the pods are dual-stack (ipv6).
 */
export async function createNodeNetns(
  p: Plan,
  n: NodePlan,
  podRoutes: PodRoutes = true,
  ipv6 = false,
): Promise<void> {
  await run('ip', ['netns', 'add', n.netns]);
  await ipBatch([
    `link add ${n.hostVeth} type veth peer name eth0 netns ${n.netns}`,
    `link set ${n.hostVeth} master ${p.bridge} up`,
  ]);
  const peers = allNodes(p).filter(
    (o) =>
      (o.name !== n.name || o.cluster !== n.cluster) &&
      (podRoutes === true || (podRoutes === 'cluster' && o.cluster === n.cluster)),
  );
  await ipBatch(
    [
      'link set lo up',
      `addr add ${n.ip}/24 dev eth0`,
      `addr add ${n.ip6}/64 dev eth0 nodad`,
      'link set eth0 up',
      `route add default via ${p.hostIP}`,
      ...peers.map((o) => `route add ${o.podCIDR} via ${o.ip} dev eth0`),
      ...(ipv6 ? peers.map((o) => `route add ${o.podCIDR6} via ${o.ip6} dev eth0`) : []),
    ],
    n.netns,
  );
}
