// realnodes.test.ts: the multi-cluster network on real nodes (as root): clusters east and west,
// two dual-stack real nodes each (kubelet, containerd, kube-proxy), no pod routes on the underlay. fedmesh-cni
// is chained by its own installer into each node's conflist (after bridge + host-local), and
// fedmesh-node runs in each node's network namespace against its cluster's API. Real pods of the
// two clusters talk over the VXLAN overlay with the configured VNI, keeping their source IPs (IPv4
// and IPv6), and get the overlay MTU. The bridge plugin masquerades (ipMasq): mesh traffic is exempt, the rest is not.
// Every agent restarted during a cross-cluster stream leaves it flowing and changes nothing on
// adoption; in routed mode (the underlay routes pod CIDRs) source IPs are kept all the same; an RCC
// removed takes the other cluster's entries and nothing fedmesh did not make.
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
import { applyObjects, kubectl, kubectlOk } from '../harness/kubectl.js';
import { FEDMESH_CNI, HEALTH_PORT, setOverlay, startAgents, type Agents } from '../harness/nodes/agents.js';
import { waitFor } from '../harness/wait.js';
import { DEVICE, ROUTE_PROTOCOL } from '../../node/dataplane/types.js';
import type { RealNode } from '../harness/nodes/node.js';
import { createTestPods, podGet, waitPodsReady, type PodInfo } from '../harness/nodes/pods.js';

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
    const r = await podGet(kc(fromCluster), from.name, `http://${to.ip}:8081/`, { seconds: 10 });
    return /peer=([^\s]+):\d+/.exec(r.stdout)?.[1] ?? `failed: ${r.stderr.trim()}`;
  };
  const inNode = (netns: string, ...cmd: string[]): string =>
    execFileSync('ip', ['netns', 'exec', netns, ...cmd]).toString();
  const fedmeshRoutes = (netns: string): string =>
    inNode(netns, 'ip', 'route', 'show', 'proto', String(ROUTE_PROTOCOL));
  const applyIn = (kubeconfig: string, obj: object): Promise<void> => applyObjects(kubeconfig, [obj]);
  const nodesOf = (cluster: string) => cp.nodes!.nodes.filter((n) => n.plan.cluster === cluster);

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'real-node tests need root (CI runs as root)');
    dir = mkdtempSync(join(tmpdir(), 'fedmesh-realnodes-'));
    cp = await startControlPlane({
      clusters: ['east', 'west'],
      nodes: {
        perCluster: 2,
        podRoutes: false,
        ipMasq: true,
        ipv6: true,
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

  it('IPv6 pod addresses cross the same overlay, source addresses preserved', async () => {
    const seen6 = async (from: PodInfo, fromCluster: string, to: PodInfo): Promise<string> => {
      const r = await podGet(kc(fromCluster), from.name, `http://[${to.ip6}]:8081/`, { seconds: 10 });
      return /peer=\[([^\]\s]+)\]:\d+/.exec(r.stdout)?.[1] ?? `failed: ${r.stdout}${r.stderr.trim()}`;
    };
    const [e1, e2, w1, w2] = ['east-pod-1', 'east-pod-2', 'west-pod-1', 'west-pod-2'].map((n) =>
      pods.get(n)!,
    );
    for (const p of [e1!, e2!, w1!, w2!]) assert.match(p.ip6, /^fd10:/, `${p.name} has an IPv6 address`);
    assert.equal(await seen6(e1!, 'east', w1!), e1!.ip6, 'east-pod-1 -> west-pod-1');
    assert.equal(await seen6(e2!, 'east', w2!), e2!.ip6, 'east-pod-2 -> west-pod-2');
    assert.equal(await seen6(w2!, 'west', e1!), w2!.ip6, 'west-pod-2 -> east-pod-1');
    // Routed by fedmesh: each west pod CIDR through the VXLAN device, next hop the remote VTEP.
    const routes6 = inNode(
      cp.nodes!.node('east-node-1', 'east').plan.netns,
      'ip',
      '-6',
      'route',
      'show',
      'proto',
      String(ROUTE_PROTOCOL),
    );
    for (const w of nodesOf('west'))
      assert.match(
        routes6,
        new RegExp(`^${w.plan.podCIDR6.replace(/\//g, '\\/')} via fe80:\\S+ dev ${DEVICE}`, 'm'),
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

  it('every agent restarted during a cross-cluster stream: the stream goes on, adoption changes nothing', async () => {
    const [e1, w1] = [pods.get('east-pod-1')!, pods.get('west-pod-1')!];
    const lines = 250; // 25 s of one line every 100 ms over one TCP connection to west's echo
    let finished = false;
    const stream = kubectl(kc('east'), [
      'exec',
      e1.name,
      '--',
      'sh',
      '-c',
      `(i=0; while [ $i -lt ${lines} ]; do echo line$i; i=$((i+1)); sleep 0.1; done; sleep 2) | nc ${w1.ip} 8080`,
    ]).finally(() => (finished = true));
    await new Promise((r) => setTimeout(r, 1500));
    await agents!.restart();
    assert.equal(finished, false, 'the restarts ended while the stream still ran');
    for (const n of cp.nodes!.nodes) {
      const m = await fetch(`http://${n.plan.ip}:${HEALTH_PORT}/metrics`).then((r) => r.text());
      const changes = /^fedmesh_node_reconcile_changes_total(?:\{[^}]*\})? (\d+)/m.exec(m)?.[1];
      assert.equal(changes, '0', `changes on adoption on ${n.name}`);
    }
    const r = await stream;
    assert.match(r.stdout, new RegExp(`pod=west-pod-1 peer=${e1.ip.replace(/\./g, '\\.')}:`));
    const echoed = r.stdout.split('\n').filter((l) => l.startsWith('line'));
    assert.equal(echoed.length, lines, `echoed ${echoed.length} of ${lines}: ${r.stderr}`);
    assert.equal(echoed.at(-1), `line${lines - 1}`);
  });

  it('routed mode: no device and no routes of fedmesh; with pod CIDRs routed by the underlay, source IPs are kept', async () => {
    const all = cp.nodes!.nodes;
    const added: [string, string][] = [];
    try {
      for (const c of ['east', 'west']) await setOverlay(kc(c), { enabled: false });
      for (const n of all)
        await waitFor(`routed mode on ${n.name}`, async () => {
          const links = inNode(n.plan.netns, 'ip', '-o', 'link', 'show');
          return !links.includes(DEVICE) && fedmeshRoutes(n.plan.netns).trim() === '';
        });
      // The underlay routes every remote pod CIDR to its node (as BGP or a cloud route table would).
      for (const n of all)
        for (const m of all.filter((x) => x.plan.cluster !== n.plan.cluster)) {
          inNode(n.plan.netns, 'ip', 'route', 'add', m.plan.podCIDR, 'via', m.plan.ip, 'proto', 'static');
          added.push([n.plan.netns, m.plan.podCIDR]);
        }
      const [e1, w2] = [pods.get('east-pod-1')!, pods.get('west-pod-2')!];
      assert.equal(await seen(e1, 'east', w2), e1.ip, 'east-pod-1 -> west-pod-2, routed, not masqueraded');
      assert.equal(await seen(w2, 'west', e1), w2.ip, 'west-pod-2 -> east-pod-1, routed, not masqueraded');
    } finally {
      for (const [netns, cidr] of added) inNode(netns, 'ip', 'route', 'del', cidr, 'proto', 'static');
      for (const c of ['east', 'west']) await setOverlay(kc(c), { enabled: true, vni: VNI, udpPort: 4789 });
    }
    const [e1, w1] = [pods.get('east-pod-1')!, pods.get('west-pod-1')!];
    await waitFor('VXLAN again', async () => (await seen(e1, 'east', w1)) === e1.ip, { timeoutMs: 60_000 });
  });

  it("an RCC removed takes the other cluster's entries from every node, and nothing fedmesh did not make", async () => {
    const east = nodesOf('east');
    for (const n of east) inNode(n.plan.netns, 'ip', 'route', 'add', 'blackhole', '203.0.113.0/24');
    try {
      await kubectlOk(kc('east'), ['delete', 'rcc', '--all']);
      for (const n of east)
        await waitFor(`west's entries gone from ${n.name}`, async () => {
          const routes = fedmeshRoutes(n.plan.netns);
          const fdb = inNode(n.plan.netns, 'bridge', 'fdb', 'show', 'dev', DEVICE);
          return nodesOf('west').every((w) => !routes.includes(w.plan.podCIDR) && !fdb.includes(w.plan.ip));
        });
      for (const n of east)
        assert.match(
          inNode(n.plan.netns, 'ip', 'route', 'show', '203.0.113.0/24'),
          /blackhole 203\.0\.113\.0\/24/,
        );
      const [e1, w1] = [pods.get('east-pod-1')!, pods.get('west-pod-1')!];
      assert.match(await seen(e1, 'east', w1), /^failed/);
      await connect(cp.cluster('east'), cp.cluster('west'));
      await waitFor('west reachable again', async () => (await seen(e1, 'east', w1)) === e1.ip, {
        timeoutMs: 60_000,
      });
    } finally {
      for (const n of east) inNode(n.plan.netns, 'ip', 'route', 'del', 'blackhole', '203.0.113.0/24');
    }
  });

  // Last: deleting a Node makes kube-controller-manager's pod GC remove the pods bound to it.
  it('a west node removed disappears exactly from every east node; added back, it is reachable again', async () => {
    const [w1, w2] = nodesOf('west');
    const node = JSON.parse(await kubectlOk(kc('west'), ['get', 'node', w2!.name, '-o', 'json'])) as {
      metadata: { name: string; labels: Record<string, string> };
      spec: { podCIDR: string; podCIDRs: string[] };
      status: { addresses: { type: string; address: string }[] };
    };
    // has says whether east node `on` has fedmesh's route, FDB or neighbour entry for west node n.
    const has = (on: RealNode, n: RealNode | undefined): boolean =>
      fedmeshRoutes(on.plan.netns).includes(n!.plan.podCIDR) ||
      inNode(on.plan.netns, 'bridge', 'fdb', 'show', 'dev', DEVICE).includes(n!.plan.ip) ||
      inNode(on.plan.netns, 'ip', 'neigh', 'show', 'dev', DEVICE).includes(`${n!.plan.ip} `);
    await kubectlOk(kc('west'), ['delete', 'node', w2!.name]);
    for (const n of nodesOf('east')) {
      await waitFor(`${w2!.name} gone from ${n.name}`, async () => !has(n, w2));
      assert.ok(has(n, w1), `${w1!.name} stays on ${n.name}`);
    }
    const [e1, wp1] = [pods.get('east-pod-1')!, pods.get('west-pod-1')!];
    assert.equal(await seen(e1, 'east', wp1), e1.ip, 'the other west node still reached');
    // Added back (as its kubelet registers it): its pod CIDR is routed to it over the overlay again.
    await applyIn(kc('west'), {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: node.metadata.name, labels: node.metadata.labels },
      spec: { podCIDR: node.spec.podCIDR, podCIDRs: node.spec.podCIDRs },
    });
    await kubectlOk(kc('west'), [
      'patch',
      'node',
      w2!.name,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { addresses: node.status.addresses } }),
    ]);
    for (const n of nodesOf('east')) await waitFor(`${w2!.name} back on ${n.name}`, async () => has(n, w2));
    const ping = await kubectl(kc('east'), [
      'exec',
      e1.name,
      '--',
      'ping',
      '-c',
      '1',
      '-W',
      '3',
      w2!.plan.podGateway,
    ]);
    assert.equal(
      ping.code,
      0,
      `ping ${w2!.plan.podGateway} (${w2!.name}'s pod bridge): ${ping.stdout}${ping.stderr}`,
    );
  });
});
