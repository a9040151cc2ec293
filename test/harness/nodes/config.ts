// config.ts: the configuration files of one real test node: containerd (v2 config for
// containerd 1.6), the CNI conflist (bridge + host-local, then any chained plugins), kubelet and
// kube-proxy (nftables). Each node has its own folders, sockets, runc root and cgroup, and the
// settings this kind of machine needs: no CAP_SYS_RESOURCE (restrict_oom_score_adj, oomScoreAdj
// 0), hybrid cgroup v1 without systemd (cgroupfs), several kubelets per host (podLogsDir).
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { NodePlan, Plan } from './plan.js';

/** NodeFiles are the paths of one node's state. */
export interface NodeFiles {
  dir: string;
  containerdSock: string;
  containerdConfig: string;
  cniConfDir: string;
  kubeletRoot: string;
  kubeletConfig: string;
  kubeletKubeconfig: string;
  kubeletCertDir: string;
  kubeProxyConfig: string;
  kubeProxyKubeconfig: string;
  clientCA: string;
  podLogs: string;
  ipamDir: string;
  /** The node's CNI plugin folder: links to the shared plugins, plus what installers copy in. */
  cniBinDir: string;
  /** The node's /run/fedmesh (the agent's socket for the CNI plugin). */
  runDir: string;
}

/**
 * NODE_PATHS are the standard paths a node's daemons and hostPath volumes see as that node's own
 * folders: containerd, kubelet and kube-proxy run in a mount namespace per node where these are
 * bind mounts of the node's folders, so a DaemonSet's hostPath volumes work as on a real machine.
 */
export const NODE_PATHS = {
  cniConfDir: '/etc/cni/net.d',
  cniBinDir: '/opt/cni/bin',
  runDir: '/run/fedmesh',
} as const;

/** nodeFiles lays out a node's state under dir/<node name>. */
export function nodeFiles(dir: string, n: NodePlan): NodeFiles {
  const d = join(dir, n.name);
  return {
    dir: d,
    containerdSock: join(d, 'containerd.sock'),
    containerdConfig: join(d, 'containerd.toml'),
    cniConfDir: join(d, 'net.d'),
    kubeletRoot: join(d, 'kubelet'),
    kubeletConfig: join(d, 'kubelet.yaml'),
    kubeletKubeconfig: join(d, 'kubelet.kubeconfig'),
    kubeletCertDir: join(d, 'kubelet-pki'),
    kubeProxyConfig: join(d, 'kube-proxy.yaml'),
    kubeProxyKubeconfig: join(d, 'kube-proxy.kubeconfig'),
    clientCA: join(d, 'client-ca.crt'),
    podLogs: join(d, 'pod-logs'),
    ipamDir: join(d, 'ipam'),
    cniBinDir: join(d, 'cni-bin'),
    runDir: join(d, 'run-fedmesh'),
  };
}

/** containerdConfig renders containerd.toml (CNI at the node's NODE_PATHS); sandboxImage must be
 * imported before the first pod. */
export function containerdConfig(f: NodeFiles, sandboxImage: string): string {
  const q = JSON.stringify;
  return `version = 2
root = ${q(join(f.dir, 'containerd/root'))}
state = ${q(join(f.dir, 'containerd/state'))}
oom_score = 0
[grpc]
  address = ${q(f.containerdSock)}
[ttrpc]
  address = ${q(f.containerdSock + '.ttrpc')}
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(f.dir, 'containerd/opt'))}
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(sandboxImage)}
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  enable_unprivileged_ports = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = ${q(join(f.dir, 'runc'))}
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${q(NODE_PATHS.cniBinDir)}
    conf_dir = ${q(NODE_PATHS.cniConfDir)}
    max_conf_num = 1
`;
}

/** cniConflist renders the node's network: bridge + host-local on the node's pod CIDR (and its
 * IPv6 pod CIDR when ipv6), then chained plugins. */
export function cniConflist(
  p: Plan,
  n: NodePlan,
  f: NodeFiles,
  chained: object[] = [],
  ipMasq = false,
  ipv6 = false,
): string {
  const v6 = ipv6 ? [[{ subnet: n.podCIDR6, gateway: n.podGateway6 }]] : [];
  const bridge = {
    type: 'bridge',
    bridge: 'cni0',
    isGateway: true,
    ipMasq,
    hairpinMode: true,
    ipam: {
      type: 'host-local',
      ranges: [[{ subnet: n.podCIDR, gateway: n.podGateway }], ...v6],
      routes: [{ dst: '0.0.0.0/0' }, ...(ipv6 ? [{ dst: '::/0' }] : [])],
      dataDir: f.ipamDir,
    },
  };
  // The network name prefixes libcni's result cache files (/var/lib/cni/results/<name>-...).
  return JSON.stringify({ cniVersion: '1.0.0', name: p.prefix, plugins: [bridge, ...chained] }, null, 2);
}

/** kubeletConfig renders the KubeletConfiguration (serving on the node's underlay address). */
export function kubeletConfig(p: Plan, n: NodePlan, f: NodeFiles, resolvConf: string): string {
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    cgroupDriver: 'cgroupfs',
    cgroupRoot: n.cgroup,
    failCgroupV1: false,
    containerRuntimeEndpoint: `unix://${f.containerdSock}`,
    failSwapOn: false,
    address: n.ip,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: n.ip,
    healthzPort: 10248,
    staticPodPath: join(f.dir, 'manifests'),
    resolvConf,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: f.clientCA },
    },
    authorization: { mode: 'Webhook' },
    clusterDomain: 'cluster.local',
    evictionHard: {
      'memory.available': '100Mi',
      'nodefs.available': '1%',
      'imagefs.available': '1%',
      'nodefs.inodesFree': '1%',
    },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    serializeImagePulls: false,
    volumePluginDir: join(f.dir, 'volume-plugins'),
    oomScoreAdj: 0,
    podLogsDir: f.podLogs,
    nodeStatusUpdateFrequency: '4s',
    nodeStatusReportFrequency: '1m',
    syncFrequency: '10s',
    fileCheckFrequency: '5s',
    clusterDNS: [p.dnsIP],
  });
}

/** kubeProxyConfig renders the KubeProxyConfiguration (nftables; kernel conntrack settings left alone). */
export function kubeProxyConfig(clusterCIDR: string, n: NodePlan, f: NodeFiles): string {
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'nftables',
    clientConnection: { kubeconfig: f.kubeProxyKubeconfig },
    hostnameOverride: n.name,
    clusterCIDR,
    bindAddress: n.ip,
    healthzBindAddress: `${n.ip}:10256`,
    metricsBindAddress: `${n.ip}:10249`,
    nodePortAddresses: [`${n.ip}/32`],
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  });
}
