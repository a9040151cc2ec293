// desired.ts: from the local cluster's MeshConfiguration and every FederatedHostEndpoint to the
// node's desired dataplane. Pure: the uplink (device and MTU of the node's underlay address) is
// looked up by the caller.
import { vtepMAC, type FederatedHostEndpoint, type MeshConfiguration } from '../../api/index.js';
import { VXLAN_OVERHEAD, type Desired, type Peer } from '../dataplane/types.js';

/** DEFAULT_VNI and DEFAULT_PORT are the overlay defaults of MeshConfiguration. */
export const DEFAULT_VNI = 4299;
export const DEFAULT_PORT = 4789;

/** Uplink is the device carrying the node's underlay address. */
export interface Uplink {
  name: string;
  mtu: number;
}

/** Plan is what the node should program, or why it must wait. */
export type Plan = { desired: Desired; podMTU?: number; cluster: string } | { wait: string };

/** underlayAddress is a host endpoint's tunnel address, else its InternalIP. */
export function underlayAddress(h: FederatedHostEndpoint): string | undefined {
  return h.spec.tunnel?.address || h.spec.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

/** plan computes the desired state of node nodeName. */
export function plan(
  mc: MeshConfiguration | undefined,
  hosts: Iterable<FederatedHostEndpoint>,
  nodeName: string,
  uplink: (address: string) => Uplink | undefined,
): Plan {
  if (!mc) return { wait: 'no MeshConfiguration "default" in the local cluster' };
  const cluster = mc.spec.clusterName;
  const all = [...hosts];
  const peers: Peer[] = all
    .filter((h) => h.spec.cluster !== cluster)
    .flatMap((h) => {
      const address = underlayAddress(h);
      if (!address) return [];
      const mac = h.spec.tunnel?.mac || vtepMAC(h.spec.cluster, h.spec.node);
      return [
        {
          key: h.metadata.name ?? '',
          cluster: h.spec.cluster,
          address,
          mac,
          podCIDRs: h.spec.podCIDRs ?? [],
        },
      ];
    });
  if (mc.spec.overlay?.enabled === false) return { desired: { peers }, cluster };
  const self = all.find((h) => h.spec.cluster === cluster && h.spec.node === nodeName);
  if (!self) return { wait: `no FederatedHostEndpoint for this node (${cluster}.${nodeName}) yet` };
  const local = underlayAddress(self);
  if (!local) return { wait: `FederatedHostEndpoint ${cluster}.${nodeName} has no InternalIP` };
  const up = uplink(local);
  if (!up) return { wait: `no device carries this node's underlay address ${local}` };
  const mtu = mc.spec.overlay?.mtu;
  const overlay = {
    vni: mc.spec.overlay?.vni ?? DEFAULT_VNI,
    port: mc.spec.overlay?.udpPort ?? DEFAULT_PORT,
    local,
    uplink: up.name,
    mac: vtepMAC(cluster, nodeName),
    ...(mtu ? { mtu } : {}),
  };
  return { desired: { overlay, peers }, podMTU: mtu ?? up.mtu - VXLAN_OVERHEAD, cluster };
}
