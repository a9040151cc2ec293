// reconciler.test.ts: the reconciler against the kernel, as root, in network namespaces
// (test/dataplane/testbed.ts): node n1 of cluster east, nodes n2 and n3 of cluster west on one
// underlay. Pods reach each other over fedmesh's VXLAN with their source addresses, IPv4 and IPv6;
// a second reconcile changes nothing; a removed peer loses exactly its entries; routes and FDB
// entries fedmesh did not make stay as they were; routed mode keeps mesh traffic unmasqueraded.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { vtepMAC } from '../../api/index.js';
import { Testbed, type TestNode } from '../../test/dataplane/testbed.js';
import { linkLocalFromMAC } from './addr.js';
import { Reconciler } from './reconciler.js';
import { DEVICE, type Desired, type Peer } from './types.js';

const VNI = 4242;
const PORT = 4789;
const cluster = (n: TestNode): string => (n.name === 'n1' ? 'east' : 'west');

const peer = (n: TestNode): Peer => ({
  key: `${cluster(n)}.${n.name}`,
  cluster: cluster(n),
  address: n.ip,
  mac: vtepMAC(cluster(n), n.name),
  podCIDRs: [n.podCIDR, n.podCIDR6],
});

const overlay = (n: TestNode, vni = VNI): Desired['overlay'] => ({
  vni,
  port: PORT,
  local: n.ip,
  uplink: 'eth0',
  mac: vtepMAC(cluster(n), n.name),
});

// snapshot is the node's routes (both families) and FDB entries, as the kernel lists them.
function snapshot(n: TestNode): Promise<string[]> {
  return Promise.all([
    n.run.ip(['-4', 'route', 'show', 'table', 'main']),
    n.run.ip(['-6', 'route', 'show', 'table', 'main']),
    n.run.ip(['neigh', 'show', 'nud', 'permanent']),
    n.run.bridge(['fdb', 'show']),
  ]).then((parts) =>
    parts
      .join('')
      .split('\n')
      // The kernel adds multicast FDB entries (IPv6 neighbour discovery) as traffic flows.
      .filter((l) => l && !/^(33:33|01:00:5e):/.test(l))
      .sort(),
  );
}

// vxlanPackets counts VXLAN packets with the given VNI that reached node n (an nft counter on input).
async function countVNI(n: TestNode, vni: number): Promise<() => Promise<number>> {
  await n.run.nft(
    ['-f', '-'],
    `table inet fmtest {
  chain input {
    type filter hook input priority 0; policy accept;
    udp dport ${PORT} @th,96,24 ${vni} counter
  }
}
`,
  );
  return async () => {
    const out = await n.run.nft(['list', 'chain', 'inet', 'fmtest', 'input']);
    return Number(/packets (\d+)/.exec(out)?.[1] ?? -1);
  };
}

describe('node dataplane reconciler (root, network namespaces)', () => {
  let bed: Testbed;
  let n1: TestNode, n2: TestNode, n3: TestNode;
  let r1: Reconciler, r2: Reconciler, r3: Reconciler;
  const foreignRoute = (_n: TestNode): string => `10.${bed.slot}.200.0/24`;

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'dataplane tests need root (CI runs as root)');
    bed = new Testbed();
    [n1, n2, n3] = [bed.addNode(1), bed.addNode(2), bed.addNode(3)];
    [r1, r2, r3] = [new Reconciler(n1.run), new Reconciler(n2.run), new Reconciler(n3.run)];
    // Entries fedmesh does not own: a static route and a static FDB entry on the pod bridge.
    await n1.run.ip(['route', 'add', foreignRoute(n1), 'via', bed.hostIP(254), 'dev', 'eth0']);
    await n1.run.bridge(['fdb', 'add', '02:00:00:00:99:99', 'dev', 'veth0', 'master', 'static']);
    for (const n of [n1, n2, n3]) await bed.serve(n.pod, 8080);
    await bed.serve(bed.underlay, 8081);
  });
  after(() => bed?.close());

  it('connects pods of two clusters over VXLAN with the configured VNI, keeping IPv4 and IPv6 source addresses', async () => {
    const before1 = await snapshot(n1);
    const vxlanSeen = await countVNI(n2, VNI);
    await r1.reconcile({ overlay: overlay(n1), peers: [peer(n2)] });
    await r2.reconcile({ overlay: overlay(n2), peers: [peer(n1)] });
    assert.equal(bed.peerSeen(n1.pod, n2.podIP, 8080), n1.podIP);
    assert.equal(bed.peerSeen(n2.pod, n1.podIP, 8080), n2.podIP);
    assert.equal(bed.peerSeen(n1.pod, n2.podIP6, 8080), n1.podIP6);
    assert.ok((await vxlanSeen()) > 0, `no VXLAN packet with VNI ${VNI} reached n2`);
    const added = (await snapshot(n1)).filter((l) => !before1.includes(l));
    assert.ok(
      added.every((l) => l.includes(DEVICE)),
      `entries outside ${DEVICE}: ${added.join('; ')}`,
    );
    assert.ok(before1.every((l) => !/vxlan/.test(l)));
  });

  it('changes nothing when the state is already in place, also for a new reconciler (agent restart)', async () => {
    const before1 = await snapshot(n1);
    const again = await new Reconciler(n1.run).reconcile({ overlay: overlay(n1), peers: [peer(n2)] });
    assert.equal(again.changes, 0);
    assert.ok(again.processes <= 6, `${again.processes} processes to observe`);
    assert.deepEqual(await snapshot(n1), before1);
  });

  it('keeps a long TCP stream across a reconcile that adds a peer', async () => {
    const code = `const c = require('net').connect(8082, '${n2.podIP}'); let n = 0;
      c.on('connect', () => { const t = setInterval(() => c.write('x'), 20); setTimeout(() => { clearInterval(t); c.end(); }, 1500); });
      c.on('data', d => n += d.length); c.on('end', () => { console.log(n); }); c.on('error', e => { console.log(e.code); });`;
    bed.start(n2.pod, [process.execPath, '-e', "require('net').createServer(c => c.pipe(c)).listen(8082)"]);
    await new Promise((r) => setTimeout(r, 300));
    const client = bed.start(n1.pod, [process.execPath, '-e', code]);
    let echoed = '';
    client.stdout!.on('data', (d: Buffer) => (echoed += d.toString()));
    await new Promise((r) => setTimeout(r, 300));
    await r1.reconcile({ overlay: overlay(n1), peers: [peer(n2), peer(n3)] });
    await new Promise((r) => client.once('exit', r));
    assert.ok(Number(echoed.trim()) > 20, `stream echoed ${echoed.trim()}`);
  });

  it("removes exactly a removed peer's routes, neighbours and FDB entries", async () => {
    await r3.reconcile({ overlay: overlay(n3), peers: [peer(n1)] });
    assert.equal(bed.peerSeen(n1.pod, n3.podIP, 8080), n1.podIP);
    const withN3 = await snapshot(n1);
    const outcome = await r1.reconcile({ overlay: overlay(n1), peers: [peer(n2)] });
    const now = await snapshot(n1);
    const removed = withN3.filter((l) => !now.includes(l));
    assert.deepEqual(
      now.filter((l) => !withN3.includes(l)),
      [],
      'nothing added',
    );
    assert.ok(removed.length >= 5, removed.join('; '));
    const n3Mac = vtepMAC('west', 'n3');
    const ll3 = linkLocalFromMAC(n3Mac); // the IPv6 next hop is derived from n3's MAC
    assert.ok(
      removed.every(
        (l) =>
          l.includes(n3.podCIDR) ||
          l.includes(n3.podCIDR6) ||
          l.includes(n3Mac) ||
          l.includes(n3.ip) ||
          l.includes(ll3),
      ),
      removed.join('; '),
    );
    assert.equal(outcome.routes, 2);
    assert.equal(bed.peerSeen(n1.pod, n2.podIP, 8080), n1.podIP);
  });

  it('leaves a destination held by a route it does not own and reports it', async () => {
    const west = { ...peer(n2), podCIDRs: [n2.podCIDR, n2.podCIDR6, foreignRoute(n1)] };
    const outcome = await r1.reconcile({ overlay: overlay(n1), peers: [west] });
    assert.deepEqual(outcome.skipped, [foreignRoute(n1)]);
    const route = await n1.run.ip(['route', 'show', foreignRoute(n1)]);
    assert.match(route, new RegExp(`via ${bed.hostIP(254).replace(/\./g, '\\.')} dev eth0`));
    assert.match(
      await n1.run.bridge(['fdb', 'show', 'dev', 'veth0']),
      /02:00:00:00:99:99 master cni0 static/,
    );
  });

  it('keeps mesh traffic unmasqueraded when the pod network masquerades, and masquerades the rest', async () => {
    // What the bridge plugin does with ipMasq: true (iptables-nft, nat POSTROUTING at srcnat).
    await n1.run.nft(
      ['-f', '-'],
      `table ip fmtestnat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr ${n1.podCIDR} ip daddr != ${n1.podCIDR} masquerade
  }
}
`,
    );
    await r1.reconcile({ overlay: overlay(n1), peers: [peer(n2)] });
    assert.equal(bed.peerSeen(n1.pod, n2.podIP, 8080), n1.podIP);
    assert.equal(bed.peerSeen(n1.pod, bed.hostIP(254), 8081), n1.ip);
  });

  it('routed mode: removes the device and its routes, and still keeps mesh sources', async () => {
    const outcome = await r1.reconcile({ peers: [peer(n2)] });
    await r2.reconcile({ peers: [peer(n1)] });
    // The network routes pod IPs itself (static routes on the nodes, not fedmesh's).
    await n1.run.ip(['route', 'add', n2.podCIDR, 'via', n2.ip]);
    await n2.run.ip(['route', 'add', n1.podCIDR, 'via', n1.ip]);
    assert.equal(outcome.routes, 0);
    assert.equal(await n1.run.ip(['link', 'show', 'type', 'vxlan']), '');
    assert.equal(bed.peerSeen(n1.pod, n2.podIP, 8080), n1.podIP);
    assert.equal(bed.peerSeen(n1.pod, bed.hostIP(254), 8081), n1.ip);
    assert.equal((await r1.reconcile({ peers: [peer(n2)] })).changes, 0);
  });

  it('recreates the device when the VNI changes, and removes everything it owns on remove()', async () => {
    await n1.run.ip(['route', 'del', n2.podCIDR]);
    await r1.reconcile({ overlay: overlay(n1, 77), peers: [peer(n2)] });
    const link = await n1.run.ip(['-d', 'link', 'show', DEVICE]);
    assert.match(link, /vxlan id 77 /);
    await r1.remove();
    assert.equal(await n1.run.ip(['link', 'show', 'type', 'vxlan']), '');
    assert.equal(await n1.run.ip(['route', 'show', 'proto', '211']), '');
    assert.equal(await n1.run.ip(['-6', 'route', 'show', 'proto', '211']), '');
    assert.doesNotMatch(await n1.run.nft(['list', 'tables']), /inet fedmesh/);
    assert.match(await n1.run.ip(['route', 'show', foreignRoute(n1)]), /via/);
  });
});
