// realnodes.test.ts: the multi-cluster network on real nodes (as root): clusters east and west,
// two real nodes each (kubelet, containerd, kube-proxy), no pod routes on the underlay. fedmesh-cni
// is chained by its own installer into each node's conflist (after bridge + host-local), and
// fedmesh-node runs in each node's network namespace against its cluster's API. Real pods of the
// two clusters talk over the VXLAN overlay with the configured VNI, keeping their source IPs, and
// get the overlay MTU. The bridge plugin masquerades (ipMasq): mesh traffic is exempt, the rest is not.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from '../harness/connect.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { startLocalFedmesh, type LocalFedmesh } from '../harness/fedmesh.js';
import { kubectl, kubectlOk } from '../harness/kubectl.js';
import { FEDMESH_CNI, startAgents, type Agents } from '../harness/nodes/agents.js';
import { createTestPods, waitPodsReady, type PodInfo } from '../harness/nodes/pods.js';

const VNI = 4343;

describe('multi-cluster pod network on real nodes (root)', () => {
  let cp: ControlPlane;
  let dir: string;
  const fms: LocalFedmesh[] = [];
  let agents: Agents | undefined;
  const pods = new Map<string, PodInfo>();

  const kc = (cluster: string): string => cp.cluster(cluster).kubeconfig;
  // seen asks the echo server in pod `to` (HTTP) from pod `from` and returns the peer it saw.
  const seen = async (from: PodInfo, fromCluster: string, to: PodInfo): Promise<string> => {
    const r = await kubectl(kc(fromCluster), [
      'exec',
      from.name,
      '--',
      'wget',
      '-qO-',
      `http://${to.ip}:8081/`,
    ]);
    return /peer=([^\s]+):\d+/.exec(r.stdout)?.[1] ?? `failed: ${r.stderr.trim()}`;
  };
  before(async () => {
    assert.equal(process.getuid?.(), 0, 'real-node tests need root (CI runs as root)');
    dir = mkdtempSync(join(tmpdir(), 'fedmesh-realnodes-'));
    cp = await startControlPlane({
      clusters: ['east', 'west'],
      nodes: {
        perCluster: 2,
        podRoutes: false,
        ipMasq: true,
        cniBinaries: FEDMESH_CNI(),
      },
    });
    for (const c of ['east', 'west']) fms.push(await startLocalFedmesh(cp.cluster(c)));
    await connect(cp.cluster('east'), cp.cluster('west'));
    await connect(cp.cluster('west'), cp.cluster('east'));
    agents = await startAgents(cp.nodes!, kc, dir, VNI);
    for (const c of ['east', 'west']) {
      const names = [1, 2].map((i) => `${c}-pod-${i}`);
      await createTestPods(
        kc(c),
        names.map((name, i) => ({ name, node: `${c}-node-${i + 1}` })),
        cp.nodes!.images.workload.ref,
      );
      for (const p of await waitPodsReady(kc(c), 'default', names)) pods.set(p.name, p);
    }
  });

  after(async () => {
    await agents?.stop();
    for (const f of fms) await f.stop().catch(() => undefined);
    await cp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pods of east and west reach each other over VXLAN with the configured VNI, source IPs preserved', async () => {
    const westNode1 = cp.nodes!.node('west-node-1', 'west');
    const nft = (script: string): void =>
      void execFileSync('ip', ['netns', 'exec', westNode1.plan.netns, 'nft', '-f', '-'], { input: script });
    nft(
      `table inet fmtest {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    udp dport 4789 @th,96,24 ${VNI} counter\n  }\n}\n`,
    );
    const [e1, e2, w1, w2] = ['east-pod-1', 'east-pod-2', 'west-pod-1', 'west-pod-2'].map((n) =>
      pods.get(n)!,
    );
    assert.equal(await seen(e1!, 'east', w1!), e1!.ip, 'east-pod-1 -> west-pod-1');
    assert.equal(await seen(e1!, 'east', w2!), e1!.ip, 'east-pod-1 -> west-pod-2');
    assert.equal(await seen(w1!, 'west', e2!), w1!.ip, 'west-pod-1 -> east-pod-2');
    assert.equal(await seen(w2!, 'west', e1!), w2!.ip, 'west-pod-2 -> east-pod-1');
    const counter = execFileSync('ip', [
      'netns',
      'exec',
      westNode1.plan.netns,
      'nft',
      'list',
      'chain',
      'inet',
      'fmtest',
      'input',
    ]).toString();
    assert.ok(
      Number(/packets (\d+)/.exec(counter)?.[1] ?? 0) > 0,
      `no VXLAN packet with VNI ${VNI} on west-node-1: ${counter}`,
    );
  });

  it('with the bridge plugin masquerading, traffic to a non-mesh address is masqueraded', async () => {
    // A listener outside the mesh: the host, on the underlay.
    const server = createServer((req, res) => res.end(req.socket.remoteAddress ?? ''));
    await new Promise<void>((r) => server.listen(0, cp.nodes!.plan.hostIP, r));
    try {
      const port = (server.address() as AddressInfo).port;
      const url = `http://${cp.nodes!.plan.hostIP}:${port}/`;
      const out = await kubectlOk(kc('east'), ['exec', 'east-pod-1', '--', 'wget', '-qO-', url]);
      assert.equal(out.trim(), cp.nodes!.node('east-node-1', 'east').plan.ip);
    } finally {
      server.close();
    }
  });

  it('pods get the overlay MTU from fedmesh-cni', async () => {
    const mtu = await kubectlOk(kc('east'), ['exec', 'east-pod-1', '--', 'cat', '/sys/class/net/eth0/mtu']);
    assert.equal(mtu.trim(), '1450');
  });
});
