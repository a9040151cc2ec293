// policy-nodes.test.ts: MeshNetworkPolicy enforced on real nodes (as root). Clusters east and west,
// two real nodes each (kubelet, containerd, kube-proxy), fedmesh-apiserver in each connected both
// ways, fedmesh-node and fedmesh-cni on every node, pods talking over the VXLAN overlay. West's
// policy lets east's frontends reach its db on the echo port and nothing else; the nodes enforce
// it with real traffic, follow new and relabelled pods, order Deny before Allow, keep the rules
// through an agent restart, and `kubectl mesh explain` agrees with them for every pair of pods.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pluginEnv } from '../support/pluginenv.js';
import { connect } from '../harness/connect.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { applyObjects, startLocalFedmesh, type LocalFedmesh } from '../harness/fedmesh.js';
import { kubectl, kubectlOk } from '../harness/kubectl.js';
import { FEDMESH_CNI, startAgents, type Agents } from '../harness/nodes/agents.js';
import { createTestPods, podGet, waitPodsReady, type PodInfo } from '../harness/nodes/pods.js';
import { waitFor } from '../harness/wait.js';

const VNI = 4444;
const PORT = 8081; // fedmesh-echo's HTTP port: it answers with the peer address it saw

describe('MeshNetworkPolicy on real nodes (root)', () => {
  let cp: ControlPlane;
  let dir: string;
  const fms: LocalFedmesh[] = [];
  let agents: Agents | undefined;
  const pods = new Map<string, PodInfo & { cluster: string }>();
  const kc = (cluster: string): string => cp.cluster(cluster).kubeconfig;

  // reach asks pod `to`'s echo server from pod `from`: the peer it saw, or 'refused'.
  const reach = async (from: string, to: string): Promise<string> => {
    const f = pods.get(from)!;
    const r = await podGet(kc(f.cluster), from, `http://${pods.get(to)!.ip}:${PORT}/`);
    if (r.code !== 0 && !/exit code 137|timed out|Connection refused|No route/i.test(r.stderr))
      throw new Error(`wget from ${from} to ${to} failed unexpectedly: ${r.stderr.trim()}`);
    return r.code === 0 ? (/peer=([^\s]+):\d+/.exec(r.stdout)?.[1] ?? 'garbled') : 'refused';
  };
  const addPods = async (
    cluster: string,
    list: { name: string; node: string; app: string }[],
  ): Promise<void> => {
    await createTestPods(
      kc(cluster),
      list.map((p) => ({ name: p.name, node: p.node, labels: { app: p.app } })),
      cp.nodes!.images.workload.ref,
    );
    for (const p of await waitPodsReady(
      kc(cluster),
      'default',
      list.map((p) => p.name),
    ))
      pods.set(p.name, { ...p, cluster });
  };
  const policy = (name: string, spec: object): object => ({
    apiVersion: 'config.federated.mesh/v1alpha1',
    kind: 'MeshNetworkPolicy',
    metadata: { name, namespace: 'default' },
    spec,
  });
  // enforced waits until west's nodes report the policy enforced from a complete view.
  const enforced = (): Promise<void> =>
    waitFor(
      'west nodes enforcing',
      async () => {
        const out = await kubectlOk(kc('west'), [
          'get',
          'nodes',
          '-o',
          'jsonpath={.items[*].status.conditions[?(@.type=="FedmeshPolicyReady")].reason}',
        ]);
        return out.split(' ').filter((r) => r === 'Enforced').length === 2;
      },
      { timeoutMs: 60_000 },
    );

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'real-node tests need root (CI runs as root)');
    dir = mkdtempSync(join(tmpdir(), 'fedmesh-policy-nodes-'));
    cp = await startControlPlane({
      clusters: ['east', 'west'],
      nodes: { perCluster: 2, podRoutes: 'cluster', cniBinaries: FEDMESH_CNI() },
    });
    for (const c of ['east', 'west']) fms.push(await startLocalFedmesh(cp.cluster(c)));
    await connect(cp.cluster('east'), cp.cluster('west'));
    await connect(cp.cluster('west'), cp.cluster('east'));
    agents = await startAgents(cp.nodes!, kc, dir, VNI);
    await addPods('east', [
      { name: 'frontend-1', node: 'east-node-1', app: 'frontend' },
      { name: 'other-1', node: 'east-node-2', app: 'other' },
    ]);
    await addPods('west', [
      { name: 'db-1', node: 'west-node-1', app: 'db' },
      { name: 'web-1', node: 'west-node-2', app: 'web' },
    ]);
    await applyObjects(kc('west'), [
      policy('db-from-frontends', {
        selector: "app == 'db'",
        ingress: [
          {
            action: 'Allow',
            protocol: 'TCP',
            source: { selector: "app == 'frontend'" },
            destination: { ports: [PORT] },
          },
        ],
      }),
    ]);
    await enforced();
  });

  after(async () => {
    await agents?.stop();
    for (const f of fms) await f.stop().catch(() => undefined);
    await cp?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("lets east's frontend reach west's db, source IP kept, and refuses another east pod", async () => {
    await waitFor(
      'frontend-1 allowed',
      async () => (await reach('frontend-1', 'db-1')) === pods.get('frontend-1')!.ip,
    );
    assert.equal(await reach('other-1', 'db-1'), 'refused');
    assert.equal(
      await reach('other-1', 'web-1'),
      pods.get('other-1')!.ip,
      'a pod no policy selects is unaffected',
    );
  });

  it('kubectl mesh explain agrees with the nodes for every pair of pods', async () => {
    const env = pluginEnv([kc('east'), kc('west')]);
    const names = [...pods.keys()].sort();
    for (const from of names)
      for (const to of names) {
        if (from === to) continue;
        const cluster = pods.get(to)!.cluster; // ingress is decided where the destination runs
        const r = await env.kubectl(
          'mesh',
          'explain',
          '--kubeconfig',
          kc(cluster),
          '--from',
          pods.get(from)!.ip,
          '--to',
          pods.get(to)!.ip,
          '--port',
          `${PORT}/TCP`,
          '-o',
          'json',
        );
        assert.equal(r.status, 0, r.stderr);
        const said = (JSON.parse(r.stdout) as { allowed: boolean }).allowed;
        const did = (await reach(from, to)) !== 'refused';
        assert.equal(did, said, `${from} -> ${to}: explain says ${said ? 'allowed' : 'denied'}`);
      }
  });

  it('a new frontend gains access and a relabelled one loses it', async () => {
    await addPods('east', [{ name: 'frontend-2', node: 'east-node-2', app: 'frontend' }]);
    await waitFor(
      'frontend-2 allowed',
      async () => (await reach('frontend-2', 'db-1')) === pods.get('frontend-2')!.ip,
      { timeoutMs: 30_000 },
    );
    await kubectlOk(kc('east'), ['label', 'pod', 'frontend-2', 'app=other', '--overwrite']);
    await waitFor('frontend-2 refused', async () => (await reach('frontend-2', 'db-1')) === 'refused', {
      timeoutMs: 30_000,
    });
  });

  it('applies a lower order first: a Deny at order 1 overrides the Allow', async () => {
    await applyObjects(kc('west'), [
      policy('deny-frontend-1', {
        order: 1,
        selector: "app == 'db'",
        ingress: [{ action: 'Deny', source: { nets: [`${pods.get('frontend-1')!.ip}/32`] } }],
      }),
    ]);
    await waitFor('frontend-1 refused', async () => (await reach('frontend-1', 'db-1')) === 'refused', {
      timeoutMs: 30_000,
    });
    const env = pluginEnv([kc('west')]);
    const r = await env.kubectl(
      'mesh',
      'explain',
      '--from',
      pods.get('frontend-1')!.ip,
      '--to',
      pods.get('db-1')!.ip,
      '--port',
      `${PORT}`,
    );
    assert.match(r.stdout, /ingress of the destination: DENY by default\/deny-frontend-1 ingress rule 0/);
    await kubectlOk(kc('west'), ['delete', 'mnp', 'deny-frontend-1']);
    await waitFor('frontend-1 allowed again', async () => (await reach('frontend-1', 'db-1')) !== 'refused', {
      timeoutMs: 30_000,
    });
  });

  it('enforces an egress policy in east, a namespaceSelector and a host endpoint of east as the source', async () => {
    // Egress in east: frontends may only reach db pods.
    await applyObjects(kc('east'), [
      policy('frontend-egress', {
        selector: "app == 'frontend'",
        types: ['Egress'],
        egress: [
          { action: 'Allow', protocol: 'TCP', destination: { selector: "app == 'db'", ports: [PORT] } },
        ],
      }),
    ]);
    await waitFor(
      'frontend-1 kept from web-1',
      async () => (await reach('frontend-1', 'web-1')) === 'refused',
      { timeoutMs: 30_000 },
    );
    assert.notEqual(await reach('frontend-1', 'db-1'), 'refused', 'egress to db stays allowed');
    await kubectlOk(kc('east'), ['delete', 'mnp', 'frontend-egress']);
    // West's web pods admit only east's nodes (host endpoints: namespaceSelector global()) and pods
    // of namespaces labelled team=ops in any cluster.
    await applyObjects(kc('west'), [
      policy('web-from-ops-and-nodes', {
        selector: "app == 'web'",
        ingress: [
          {
            action: 'Allow',
            source: { namespaceSelector: 'global()', selector: "federated.mesh/cluster == 'east'" },
          },
          { action: 'Allow', source: { namespaceSelector: "team == 'ops'" } },
        ],
      }),
    ]);
    await kubectlOk(kc('east'), ['create', 'namespace', 'ops']);
    await kubectlOk(kc('east'), ['label', 'namespace', 'ops', 'team=ops']);
    await createTestPods(
      kc('east'),
      [{ name: 'ops-1', namespace: 'ops', node: 'east-node-2' }],
      cp.nodes!.images.workload.ref,
    );
    const [ops] = await waitPodsReady(kc('east'), 'ops', ['ops-1']);
    pods.set('ops-1', { ...ops!, cluster: 'east' });
    const web = `http://${pods.get('web-1')!.ip}:${PORT}/`;
    const fromOps = async (): Promise<boolean> =>
      (await podGet(kc('east'), 'ops-1', web, { namespace: 'ops' })).code === 0;
    await waitFor('ops-1 admitted by its namespace', fromOps, { timeoutMs: 30_000 });
    await waitFor('other-1 refused', async () => (await reach('other-1', 'web-1')) === 'refused', {
      timeoutMs: 30_000,
    });
    const node = cp.nodes!.node('east-node-1', 'east');
    const fromNode = execFileSync('ip', [
      'netns',
      'exec',
      node.plan.netns,
      process.execPath,
      '-e',
      `fetch(${JSON.stringify(web)}, { signal: AbortSignal.timeout(3000) }).then((r) => r.text()).then((t) => console.log(t), (e) => console.log('refused ' + e.message))`,
    ]).toString();
    assert.match(fromNode, /peer=/, `east-node-1 as a host endpoint: ${fromNode}`);
    await kubectlOk(kc('west'), ['delete', 'mnp', 'web-from-ops-and-nodes']);
  });

  it('an invalid policy is reported and changes nothing that is enforced', async () => {
    await applyObjects(kc('west'), [
      policy('broken', {
        selector: "app == 'db'",
        ingress: [{ action: 'Allow', source: { selector: 'app ==' } }],
      }),
    ]);
    await waitFor(
      'Valid=False',
      async () =>
        (await kubectlOk(kc('west'), [
          'get',
          'mnp',
          'broken',
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Valid")].status}',
        ])) === 'False',
    );
    assert.notEqual(await reach('frontend-1', 'db-1'), 'refused');
    assert.equal(await reach('other-1', 'db-1'), 'refused');
    await kubectlOk(kc('west'), ['delete', 'mnp', 'broken']);
  });

  it("never refuses the allowed client or admits the denied one while west's fedmesh-apiserver, the agents and east's kube-apiserver restart", async () => {
    // Clients in east that connect to db-1 every 50 ms (allowed) and every 50 ms after each attempt
    // (denied), logging ok or fail per attempt; their logs outlive kube-apiserver's restart. An
    // attempt gets 3 s: a dropped SYN is sent again after 1 s and then only after 3 s, so any drop
    // longer than a second still fails it, while a slow answer on a loaded machine does not.
    const url = `http://${pods.get('db-1')!.ip}:${PORT}/`;
    const loop = `while true; do if timeout -s KILL 3 wget -qO- ${url} >/dev/null 2>&1; then echo ok; else echo fail $?; fi; sleep 0.05; done`;
    await createTestPods(
      kc('east'),
      [
        { name: 'client-ok', node: 'east-node-1', labels: { app: 'frontend' }, command: ['sh', '-c', loop] },
        { name: 'client-no', node: 'east-node-2', labels: { app: 'other' }, command: ['sh', '-c', loop] },
      ],
      cp.nodes!.images.workload.ref,
    );
    const lines = async (pod: string): Promise<string[]> =>
      (await kubectlOk(kc('east'), ['logs', pod])).split('\n').filter(Boolean);
    // The new frontend joins the allowed set within moments of starting; count from its first ok.
    await waitFor('client-ok allowed', async () => (await lines('client-ok')).includes('ok'), {
      timeoutMs: 30_000,
    });
    await waitFor('client-no running', async () => (await lines('client-no').catch(() => [])).length > 0);
    const okFrom = (await lines('client-ok')).indexOf('ok');
    // marks records where in client-ok's log each restart began, to say when a refusal happened.
    const marks: [string, number][] = [];
    const mark = async (what: string): Promise<void> =>
      void marks.push([what, (await lines('client-ok')).length]);
    await mark("west's fedmesh-apiserver restart");
    fms[1] = await fms[1]!.restart();
    await mark('agents restart');
    await agents!.stop();
    agents = await startAgents(cp.nodes!, kc, dir, VNI);
    await mark("east's kube-apiserver restart");
    await cp.cluster('east').stopApiserver();
    await cp.cluster('east').start();
    await waitFor(
      'east answers again',
      async () => (await kubectl(kc('east'), ['get', 'ns', 'default'])).code === 0,
    );
    await mark('after the restarts');
    await new Promise((r) => setTimeout(r, 3000));
    const all = await lines('client-ok');
    const ok = all.slice(okFrom);
    const no = await lines('client-no');
    const when = (i: number): string =>
      [...marks].reverse().find(([, at]) => at <= i)?.[0] ?? 'before the restarts';
    const refused = all.map((l, i) => [l, i] as const).filter(([l, i]) => i >= okFrom && l !== 'ok');
    assert.deepEqual(
      refused.map(([l, i]) => `${l} during ${when(i)}`),
      [],
      `of ${ok.length} allowed attempts`,
    );
    assert.ok(ok.length > 100, `client-ok made ${ok.length} attempts`);
    assert.ok(no.length > 4, `client-no made ${no.length} attempts`);
    assert.deepEqual(
      no.filter((l) => l === 'ok'),
      [],
      'the denied client got through',
    );
  });

  it("keeps the rules while west's agents restart: allowed stays allowed, refused stays refused", async () => {
    const west = agents!.processes.filter((p) => p.name.includes('west-'));
    for (const p of west) p.child.kill('SIGKILL');
    assert.notEqual(await reach('frontend-1', 'db-1'), 'refused', 'no agent: the kernel keeps the rules');
    assert.equal(await reach('other-1', 'db-1'), 'refused');
    await agents!.stop();
    agents = await startAgents(cp.nodes!, kc, dir, VNI);
    await enforced();
    assert.notEqual(await reach('frontend-1', 'db-1'), 'refused');
    assert.equal(await reach('other-1', 'db-1'), 'refused');
  });
});
