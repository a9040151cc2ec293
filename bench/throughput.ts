// throughput.ts: pod-to-pod TCP throughput across clusters over fedmesh's VXLAN overlay (node n1 of
// east to node n2 of west, programmed by fedmesh-node's reconciler in testbed namespaces) beside
// the same kind of pod pair on one node (the reference: no encapsulation, no underlay hop), in the
// same run, alternating. Every pod has the overlay MTU, as fedmesh-cni gives it. One TCP stream
// of iperf3 (client in one pod, a one-off server in the other). Needs root and iperf3.
//   npm run bench -- throughput [--runs 5] [--seconds 3]
import { execFileSync, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { vtepMAC } from '../api/index.js';
import { Reconciler } from '../node/dataplane/reconciler.js';
import { VXLAN_OVERHEAD, type Desired } from '../node/dataplane/types.js';
import { Testbed, type TestNode } from '../test/dataplane/testbed.js';
import { printTable } from './stats.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string =>
  args.includes(name) ? args[args.indexOf(name) + 1]! : dflt;
const RUNS = Number(opt('--runs', '5'));
const SECONDS = Number(opt('--seconds', '3'));
const PORT = 5201;

if (process.getuid?.() !== 0) {
  console.error('bench throughput: needs root (network namespaces)');
  process.exit(1);
}
if (spawnSync('iperf3', ['--version']).error) {
  console.error('bench throughput: needs iperf3; install it with test/controlplane/node-packages.sh');
  process.exit(1);
}

// gbits runs one iperf3 stream from netns `from` to a one-off iperf3 server in netns `to` at host.
async function gbits(bed: Testbed, from: string, to: string, host: string): Promise<number> {
  const rx = bed.start(to, ['iperf3', '-s', '-1', '--forceflush', '-p', `${PORT}`]);
  let up = '';
  rx.stdout!.on('data', (d: Buffer) => (up += d.toString()));
  while (!up.includes('listening')) await once(rx.stdout!, 'data');
  const tx = bed.start(from, ['iperf3', '-c', host, '-p', `${PORT}`, '-t', `${SECONDS}`, '-J']);
  let out = '';
  tx.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  await Promise.all([once(rx, 'exit'), once(tx, 'exit')]);
  const r = JSON.parse(out) as { end?: { sum_received?: { bits_per_second: number } }; error?: string };
  if (!r.end?.sum_received) throw new Error(`iperf3: ${r.error ?? out.slice(0, 200)}`);
  return r.end.sum_received.bits_per_second / 1e9;
}

function desired(self: TestNode, cluster: string, peer: TestNode, peerCluster: string): Desired {
  return {
    overlay: {
      vni: 4299,
      port: 4789,
      local: self.ip,
      uplink: 'eth0',
      mac: vtepMAC(cluster, self.name),
    },
    peers: [
      {
        key: `${peerCluster}.${peer.name}`,
        cluster: peerCluster,
        address: peer.ip,
        mac: vtepMAC(peerCluster, peer.name),
        podCIDRs: [peer.podCIDR],
      },
    ],
  };
}

async function main(): Promise<void> {
  const bed = new Testbed();
  try {
    const [n1, n2] = [bed.addNode(1), bed.addNode(2)];
    await new Reconciler(n1.run).reconcile(desired(n1, 'east', n2, 'west'));
    await new Reconciler(n2.run).reconcile(desired(n2, 'west', n1, 'east'));
    const local = bed.addPod(n1, 20);
    const mtu = 1500 - VXLAN_OVERHEAD;
    for (const pod of [n1.pod, n2.pod, local.pod])
      execFileSync('ip', ['-n', pod, 'link', 'set', 'eth0', 'mtu', `${mtu}`]);
    const overlay: number[] = [];
    const sameNode: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      overlay.push(await gbits(bed, n1.pod, n2.pod, n2.podIP));
      sameNode.push(await gbits(bed, n1.pod, local.pod, local.ip));
    }
    console.log(`one iperf3 TCP stream for ${SECONDS}s per run, ${RUNS} runs each, pod MTU ${mtu}\n`);
    printTable([
      {
        name: 'pod-to-pod TCP, east n1 -> west n2 over VXLAN',
        unit: 'Gbit/s',
        ours: overlay,
        base: sameNode,
        baseline: 'two pods on one node (same bridge)',
        higher: true,
      },
    ]);
    console.log('\n(speedup: overlay throughput / same-node throughput; below 1x is the overlay cost)');
  } finally {
    bed.close();
  }
}

await main();
