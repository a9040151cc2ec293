// agent.test.ts: fedmesh-node against real control planes: clusters east and west, each with
// fedmesh-apiserver, connected both ways; the nodes are network namespaces of a testbed (as root)
// whose Node objects carry their underlay address and pod CIDR. Each agent programs its namespace
// from its own cluster's federated.mesh API: pods of the two clusters talk with their source IPs,
// a node added to west becomes reachable from east, a node removed disappears, an RCC removed takes
// all of west's entries, and a restarted agent adopts the state without a change. Each agent
// reports on its Node, and `kubectl mesh status` and `diagnose` (the real kubectl) show it.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { connect } from '../../test/harness/connect.js';
import { startControlPlane, type ControlPlane } from '../../test/harness/controlplane.js';
import { startLocalFedmesh, type LocalFedmesh } from '../../test/harness/fedmesh.js';
import { kubectlOk } from '../../test/harness/kubectl.js';
import { waitFor } from '../../test/harness/wait.js';
import { createNodes } from '../../test/e2e/fixtures.js';
import { Testbed, type TestNode } from '../../test/dataplane/testbed.js';
import { ask } from '../cni/protocol.js';
import { DEVICE } from '../dataplane/types.js';
import { Agent } from './agent.js';

const VNI = 4343;

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/** mesh runs `kubectl mesh ARGS` with the plugin on PATH (the built one: npm run build first). */
function mesh(_dir: string, kubeconfig: string, ...args: string[]): Promise<{ code: number; out: string }> {
  // The plugin's bin folder on PATH, as the README says: kubectl finds kubectl-mesh there.
  const bin = fileURLToPath(new URL('../../kubectl-plugin/bin', import.meta.url));
  const env = { ...process.env, KUBECONFIG: kubeconfig, PATH: `${bin}:${process.env.PATH ?? ''}` };
  // Asynchronous: fedmesh-apiserver and the agents run in this process and must keep answering.
  return new Promise((resolve) => {
    execFile('kubectl', ['mesh', ...args], { env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? -1) : 0, out: stdout + stderr }),
    );
  });
}

const metric = (text: string, name: string): number =>
  Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);

describe('fedmesh-node against real control planes (root)', () => {
  let cp: ControlPlane;
  const fms: LocalFedmesh[] = [];
  let bed: Testbed;
  let dir: string;
  let n1: TestNode, n2: TestNode, n3: TestNode;
  const agents = new Map<string, Agent>();

  const startAgent = async (cluster: string, n: TestNode): Promise<Agent> => {
    const kc = new KubeConfig();
    kc.loadFromFile(cp.cluster(cluster).kubeconfig);
    const agent = new Agent({
      kc,
      nodeName: n.name,
      socket: join(dir, `${n.name}.sock`),
      healthAddress: '127.0.0.1',
      healthPort: 0,
      resyncMs: 60_000,
      runner: n.run,
      log: () => undefined,
      statusIntervalMs: 500,
    });
    await agent.start();
    agents.set(n.name, agent);
    return agent;
  };
  const routesOn = async (n: TestNode): Promise<string> =>
    (await n.run.ip(['route', 'show', 'proto', '211'])) +
    (await n.run.ip(['-6', 'route', 'show', 'proto', '211']));

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'dataplane tests need root (CI runs as root)');
    dir = mkdtempSync(join(tmpdir(), 'fedmesh-agent-'));
    bed = new Testbed();
    [n1, n2, n3] = [bed.addNode(1), bed.addNode(2), bed.addNode(3)];
    cp = await startControlPlane({ clusters: ['east', 'west'] });
    for (const c of ['east', 'west']) fms.push(await startLocalFedmesh(cp.cluster(c)));
    await connect(cp.cluster('east'), cp.cluster('west'));
    await connect(cp.cluster('west'), cp.cluster('east'));
    const overlay = { enabled: true, vni: VNI, udpPort: 4789 };
    for (const c of ['east', 'west'])
      await kubectlOk(cp.cluster(c).kubeconfig, [
        'patch',
        'meshconfiguration',
        'default',
        '--type=merge',
        '-p',
        JSON.stringify({ spec: { overlay } }),
      ]);
    await createNodes(cp.cluster('east').kubeconfig, [
      { name: 'n1', internalIP: n1.ip, podCIDR: n1.podCIDR },
    ]);
    await createNodes(cp.cluster('west').kubeconfig, [
      { name: 'n2', internalIP: n2.ip, podCIDR: n2.podCIDR },
    ]);
    for (const n of [n1, n2, n3]) await bed.serve(n.pod, 8080);
  });

  after(async () => {
    for (const a of agents.values()) await a.stop();
    for (const f of fms) await f.stop();
    await cp?.stop();
    bed?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("programs the overlay from each cluster's API: pods of east and west talk with their source IPs", async () => {
    const a1 = await startAgent('east', n1);
    await startAgent('west', n2);
    await waitFor(
      'east node n1 programmed with west node n2',
      async () => (await httpGet(a1.port, '/readyz')).status === 200 && /n2|10\./.test(await routesOn(n1)),
      { timeoutMs: 60_000 },
    );
    await waitFor('west node n2 programmed', async () => (await routesOn(n2)).includes(n1.podCIDR), {
      timeoutMs: 60_000,
    });
    assert.match(await n1.run.ip(['-d', 'link', 'show', DEVICE]), new RegExp(`vxlan id ${VNI} `));
    assert.equal(bed.peerSeen(n1.pod, n2.podIP, 8080), n1.podIP);
    assert.equal(bed.peerSeen(n2.pod, n1.podIP, 8080), n2.podIP);
    const m = (await httpGet(a1.port, '/metrics')).body;
    assert.equal(metric(m, 'fedmesh_node_remote_nodes'), 1);
    assert.equal(metric(m, 'fedmesh_node_routes'), 1);
    assert.deepEqual(await ask(join(dir, 'n1.sock'), { op: 'status' }, 2000), { ok: true });
    assert.equal((await httpGet(a1.port, '/healthz')).status, 200);
  });

  it('each node reports its overlay: kubectl mesh status shows it per node and per cluster, diagnose fails with the fix', async () => {
    const east = cp.cluster('east').kubeconfig;
    const status = async (): Promise<string> => (await mesh(dir, east, 'status')).out;
    await waitFor(
      'n1 reports its overlay',
      async () => /\nn1 +True +Programmed +1 +1 /.test(await status()),
      {
        timeoutMs: 60_000,
      },
    );
    assert.match(await status(), /\nwest +remote +True +True +False +\S+ +1 +1\/1 /);
    const healthy = await mesh(dir, east, 'diagnose');
    assert.equal(healthy.code, 0, healthy.out);
    assert.match(healthy.out, /\[OK\] +node n1: overlay ready \(1 remote nodes, 1 routes\)/);

    // n1's Node now names an address n1 does not have: its agent waits and says why.
    const address = (ip: string): string =>
      JSON.stringify({ status: { addresses: [{ type: 'InternalIP', address: ip }] } });
    const patch = ['patch', 'node', 'n1', '--subresource=status', '--type=merge', '-p'];
    await kubectlOk(east, [...patch, address('198.19.255.254')]);
    try {
      await waitFor('n1 reports Waiting', async () => /\nn1 +False +Waiting /.test(await status()), {
        timeoutMs: 60_000,
      });
      const broken = await mesh(dir, east, 'diagnose');
      assert.equal(broken.code, 1, broken.out);
      assert.match(broken.out, /\[FAIL\] +node n1: overlay not ready \(Waiting\): .*198\.19\.255\.254/);
      assert.match(broken.out, /fix: the Node's InternalIP must be an address of the node itself/);
    } finally {
      await kubectlOk(east, [...patch, address(n1.ip)]);
    }
    await waitFor('n1 Programmed again', async () => /\nn1 +True +Programmed /.test(await status()), {
      timeoutMs: 60_000,
    });
  });

  it('a node added to west becomes reachable from east; removed, it disappears', async () => {
    await createNodes(cp.cluster('west').kubeconfig, [
      { name: 'n3', internalIP: n3.ip, podCIDR: n3.podCIDR },
    ]);
    await startAgent('west', n3);
    await waitFor('n3 routed on n1', async () => (await routesOn(n1)).includes(n3.podCIDR), {
      timeoutMs: 60_000,
    });
    await waitFor('n1 routed on n3', async () => (await routesOn(n3)).includes(n1.podCIDR), {
      timeoutMs: 60_000,
    });
    assert.equal(bed.peerSeen(n1.pod, n3.podIP, 8080), n1.podIP);
    await agents.get('n3')!.stop();
    agents.delete('n3');
    await kubectlOk(cp.cluster('west').kubeconfig, ['delete', 'node', 'n3']);
    await waitFor('n3 gone from n1', async () => !(await routesOn(n1)).includes(n3.podCIDR), {
      timeoutMs: 60_000,
    });
    assert.doesNotMatch(
      await n1.run.bridge(['fdb', 'show', 'dev', DEVICE]),
      new RegExp(n3.ip.replace(/\./g, '\\.')),
    );
    assert.doesNotMatch(
      await n1.run.ip(['neigh', 'show', 'dev', DEVICE]),
      new RegExp(`${n3.ip.replace(/\./g, '\\.')} `),
    );
    assert.match(await routesOn(n1), new RegExp(n2.podCIDR.replace(/\./g, '\\.')));
  });

  it('a restarted agent adopts the state without a change, and a long stream keeps flowing', async () => {
    const code = `const c = require('net').connect(8082, '${n2.podIP}'); let n = 0;
      c.on('connect', () => { const t = setInterval(() => c.write('x'), 20); setTimeout(() => { clearInterval(t); c.end(); }, 4000); });
      c.on('data', d => n += d.length); c.on('end', () => console.log(n)); c.on('error', e => console.log(e.code));`;
    bed.start(n2.pod, [process.execPath, '-e', "require('net').createServer(c => c.pipe(c)).listen(8082)"]);
    await new Promise((r) => setTimeout(r, 300));
    const client = bed.start(n1.pod, [process.execPath, '-e', code]);
    let echoed = '';
    client.stdout!.on('data', (d: Buffer) => (echoed += d.toString()));
    await agents.get('n1')!.stop();
    const a1 = await startAgent('east', n1);
    await waitFor('restarted agent ready', async () => (await httpGet(a1.port, '/readyz')).status === 200, {
      timeoutMs: 60_000,
    });
    const m = (await httpGet(a1.port, '/metrics')).body;
    assert.equal(metric(m, 'fedmesh_node_reconcile_changes_total'), 0, 'changes on adoption');
    await new Promise((r) => client.once('exit', r));
    assert.ok(Number(echoed.trim()) > 100, `stream echoed ${echoed.trim()}`);
  });

  it("removing west's RCC in east removes all of west's entries from east's node", async () => {
    const rccs = await kubectlOk(cp.cluster('east').kubeconfig, ['get', 'rcc', '-o', 'name']);
    await kubectlOk(cp.cluster('east').kubeconfig, ['delete', ...rccs.split('\n').filter(Boolean)]);
    await waitFor("west's routes gone from n1", async () => (await routesOn(n1)) === '', {
      timeoutMs: 60_000,
    });
    assert.equal((await n1.run.bridge(['fdb', 'show', 'dev', DEVICE])).trim(), '');
    assert.equal(bed.peerSeen(n1.pod, n2.podIP, 8080).startsWith('failed'), true);
  });
});
