// federation.test.ts: three real control planes with a real node each; cluster A pulls from B
// and C. A sees B's and C's pods (IP, node and readiness from a kubelet) and nodes, follows their changes, survives B's outages (stale, then exact convergence),
// reports bad access Secrets clearly and recovers when they are fixed, and a restart of
// fedmesh-apiserver ends open watches cleanly.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { connect, kubeconfigFor, remoteKubeconfig, storeRemote } from '../harness/connect.js';
import type { Cluster } from '../harness/cluster.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { startLocalFedmesh, type LocalFedmesh } from '../harness/fedmesh.js';
import { kubectl, kubectlOk } from '../harness/kubectl.js';
import { waitFor } from '../harness/wait.js';
import { createTestPods, getPods, waitPodsReady, type TestPod } from '../harness/nodes/pods.js';
import { ensureNamespaces } from './fixtures.js';
import { startWatch } from './watch-helper.js';
import { httpsRequest } from '../support/https.js';

let cp: ControlPlane;
let fm: LocalFedmesh;
let kcA: string;

const cond = async (rcc: string, type: string): Promise<string> =>
  (
    await kubectl(kcA, [
      'get',
      'rcc',
      rcc,
      '-o',
      `jsonpath={.status.conditions[?(@.type=="${type}")].status}/{.status.conditions[?(@.type=="${type}")].reason}/{.status.conditions[?(@.type=="${type}")].message}`,
    ])
  ).stdout;

/** names lists A's federated endpoint names of a cluster, sorted. */
async function names(cluster: string, extra: string[] = []): Promise<string[]> {
  const out = await kubectlOk(kcA, [
    'get',
    'fep',
    '-A',
    '-l',
    `federated.mesh/cluster=${cluster}`,
    '-o',
    'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}',
    ...extra,
  ]);
  return out.split('\n').filter(Boolean).sort();
}

/** podsOf lists a cluster's pods as A should show them (namespace/cluster.pod), sorted. */
async function podsOf(cluster: string): Promise<string[]> {
  const out = await kubectlOk(cp.cluster(cluster).kubeconfig, [
    'get',
    'pods',
    '-A',
    '-o',
    'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}',
  ]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((p) => p.replace('/', `/${cluster}.`))
    .sort();
}

/** unboundToken returns a token of a service account that has no RBAC binding. */
async function unboundToken(kubeconfig: string): Promise<string> {
  await kubectl(kubeconfig, ['create', 'serviceaccount', 'nobody', '-n', 'default']);
  return (await kubectlOk(kubeconfig, ['create', 'token', 'nobody', '-n', 'default'])).trim();
}

/** rawWatch opens a watch as the admin and collects its lines; ended says how the stream stopped. */
function rawWatch(
  c: Cluster,
  path: string,
): { lines: () => string[]; ended: Promise<'end' | 'aborted' | 'error'> } {
  let body = '';
  const ended = new Promise<'end' | 'aborted' | 'error'>((resolve) => {
    const req = request(
      `${c.url}${path}`,
      { ca: c.pki.servingCA.certPem, cert: c.pki.admin.certPem, key: c.pki.admin.keyPem },
      (res) => {
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(res.complete ? 'end' : 'aborted'));
        res.on('aborted', () => resolve('aborted'));
        res.on('error', () => resolve('error'));
      },
    );
    req.on('error', () => resolve('error'));
    req.end();
  });
  return { lines: () => body.split('\n').filter(Boolean), ended };
}

/** pod describes a workload pod on the cluster's real node. */
const pod = (cluster: string, namespace: string, name: string, app: string): TestPod => ({
  namespace,
  name,
  labels: { app },
  node: `${cluster}-node-1`,
});

/** createPods creates real pods (and their namespaces) in a cluster. */
async function createPods(cluster: string, pods: TestPod[]): Promise<void> {
  const kc = cp.cluster(cluster).kubeconfig;
  await ensureNamespaces(
    kc,
    pods.map((p) => p.namespace!),
  );
  await createTestPods(kc, pods, cp.nodes!.images.workload.ref);
}

before(async () => {
  cp = await startControlPlane({ clusters: ['a', 'b', 'c'], nodes: { perCluster: 1 } });
  kcA = cp.cluster('a').kubeconfig;
  fm = await startLocalFedmesh(cp.cluster('a'), undefined, { staleGracePeriodSeconds: 600 });
  await createPods('b', [pod('b', 'shop', 'db-0', 'db'), pod('b', 'shop', 'db-1', 'db')]);
  await createPods('c', [pod('c', 'shop', 'web-0', 'web')]);
  await waitPodsReady(cp.cluster('b').kubeconfig, 'shop', ['db-0', 'db-1']);
  await waitPodsReady(cp.cluster('c').kubeconfig, 'shop', ['web-0']);
  await connect(cp.cluster('a'), cp.cluster('b'));
  await connect(cp.cluster('a'), cp.cluster('c'));
});
after(async () => {
  await fm?.stop();
  await cp?.stop();
});

describe('federation across three clusters', () => {
  it('shows the pods and nodes of B and C in A', async () => {
    await waitFor(
      'B and C synced',
      async () =>
        (await cond('b', 'Synced')).startsWith('True') && (await cond('c', 'Synced')).startsWith('True'),
      { timeoutMs: 30_000 },
    );
    assert.deepEqual(await names('b'), ['shop/b.db-0', 'shop/b.db-1']);
    assert.deepEqual(await names('c'), ['shop/c.web-0']);
    // IP, node and readiness come from B's kubelet.
    const [db1] = await getPods(cp.cluster('b').kubeconfig, 'shop', ['db-1']);
    const wide = await kubectlOk(kcA, ['get', 'fep', '-n', 'shop', 'b.db-1', '-o', 'wide', '--show-labels']);
    const ip = db1!.ip.replace(/\./g, '\\.');
    assert.match(
      wide,
      new RegExp(
        `b\\.db-1\\s+b\\s+${ip}\\s+b-node-1\\s+\\S+\\s+default\\s+\\S+\\s+true\\s+false\\s+app=db,federated\\.mesh/cluster=b`,
      ),
    );
    const node = cp.nodes!.node('b-node-1', 'b').plan;
    const hosts = await kubectlOk(kcA, ['get', 'fhep']);
    assert.match(
      hosts,
      new RegExp(`b\\.b-node-1\\s+b\\s+${node.ip.replace(/\./g, '\\.')},b-node-1\\s+${node.podCIDR}`),
    );
    assert.match(await kubectlOk(kcA, ['get', 'rcc']), /^b\s+True\s+True\s+2\s+1\s/m);
  });

  it('follows creates, relabels and deletes in C on a watch in A', async () => {
    const w = startWatch(kcA, ['get', 'fep', '-A', '-w', '--output-watch-events', '--show-labels']);
    await w.waitFor(/ADDED\s+shop\s+c\.web-0/);
    const kcC = cp.cluster('c').kubeconfig;
    await createPods('c', [pod('c', 'shop', 'web-1', 'web')]);
    await w.waitFor(/ADDED\s+shop\s+c\.web-1\s.*app=web/);
    await kubectlOk(kcC, ['label', 'pod', '-n', 'shop', 'web-1', 'canary=true']);
    await w.waitFor(/MODIFIED\s+shop\s+c\.web-1\s.*canary=true/);
    await kubectl(kcC, ['delete', 'pod', '-n', 'shop', 'web-1', '--grace-period=0', '--force']);
    await w.waitFor(/DELETED\s+shop\s+c\.web-1/);
    assert.equal(await w.stop(), '');
  });

  it('rewrites RemoteClusterConfiguration status for what changed, not for every change synced', async () => {
    const kcC = cp.cluster('c').kubeconfig;
    const syncTime = async (): Promise<string> =>
      (await kubectlOk(kcA, ['get', 'rcc', 'c', '-o', 'jsonpath={.status.lastSyncTime}'])).trim();
    const workloads = async (): Promise<number> =>
      Number(await kubectlOk(kcA, ['get', 'rcc', 'c', '-o', 'jsonpath={.status.endpoints.workloads}']));
    await createPods('c', [pod('c', 'shop', 'web-2', 'web')]);
    await waitFor('c.web-2 in A, counted in the status', async () => {
      const n = await names('c');
      return n.includes('shop/c.web-2') && (await workloads()) === n.length;
    });
    const before = await syncTime();
    for (let i = 0; i < 3; i++) {
      // Relabelling changes what C sends, not what the status says (bar lastSyncTime).
      await kubectlOk(kcC, ['label', 'pod', '-n', 'shop', 'web-2', `round=${i}`, '--overwrite']);
      await new Promise((r) => setTimeout(r, 1200));
    }
    assert.equal(await syncTime(), before, 'lastSyncTime alone is refreshed once a minute');
    await kubectl(kcC, ['delete', 'pod', '-n', 'shop', 'web-2', '--grace-period=0', '--force']);
    await waitFor('the status written again with the new count', async () => (await syncTime()) !== before);
  });

  it('keeps B stale through outages and converges exactly after each', async () => {
    const b = cp.cluster('b');
    for (let cycle = 0; cycle < 3; cycle++) {
      await b.stopApiserver();
      await waitFor(
        'B disconnected',
        async () => (await cond('b', 'Connected')).startsWith('False/Unreachable/'),
        { timeoutMs: 15_000 },
      );
      assert.match(await cond('b', 'Connected'), /cannot reach https:\/\/198\.18\.\d+\.1:\d+/);
      assert.match(
        await cond('b', 'Stale'),
        /^True\/Disconnected\/disconnected since .* are kept with status\.stale=true/,
      );
      const stale = await names('b', ['--field-selector', 'status.stale=true']);
      assert.ok(stale.length >= 2, `stale endpoints kept: ${stale.join(',')}`);
      await b.start();
      // Change B before A's syncer (in backoff) reconnects: delete one, add two, relabel one.
      const kcB = b.kubeconfig;
      const existing = (await podsOf('b'))
        .filter((p) => p.startsWith('shop/'))
        .map((p) => p.split('/')[1]!.slice(2));
      await kubectl(kcB, ['delete', 'pod', '-n', 'shop', existing[0]!, '--grace-period=0', '--force']);
      await createPods('b', [
        pod('b', 'shop', `new-${cycle}-a`, 'db'),
        pod('b', 'ops', `new-${cycle}-b`, 'tool'),
      ]);
      await kubectlOk(kcB, ['label', 'pod', '-n', 'shop', existing[1]!, `cycle=${cycle}`, '--overwrite']);
      const want = await podsOf('b');
      await waitFor(
        'A converges on B',
        async () =>
          JSON.stringify(await names('b')) === JSON.stringify(want) &&
          (await cond('b', 'Stale')).startsWith('False'),
        { timeoutMs: 60_000 },
      );
      assert.deepEqual(await names('b', ['--field-selector', 'status.stale=true']), []);
      const relabelled = await kubectlOk(kcA, [
        'get',
        'fep',
        '-n',
        'shop',
        `b.${existing[1]}`,
        '-o',
        'jsonpath={.metadata.labels.cycle}',
      ]);
      assert.equal(relabelled, String(cycle));
    }
  });

  it('reports bad access Secrets clearly and recovers when fixed', async () => {
    const a = cp.cluster('a');
    const c = cp.cluster('c');
    const good = await remoteKubeconfig(c);
    const token = /token: (.*)/.exec(good)![1]!.trim();
    const cases: [string, string, RegExp][] = [
      ['malformed kubeconfig', 'this is: [not a kubeconfig', /^False\/InvalidKubeconfig\//],
      [
        'wrong CA',
        kubeconfigFor(c, token, cp.cluster('b').pki.servingCA.certPem),
        /^False\/CertificateMismatch\/.*certificate/,
      ],
      [
        'token without list permission',
        kubeconfigFor(c, await unboundToken(c.kubeconfig), c.pki.servingCA.certPem),
        /^False\/Forbidden\/missing permission: list (namespaces|serviceaccounts|pods|nodes|services|endpointslices)/,
      ],
    ];
    for (const [what, kubeconfig, want] of cases) {
      await storeRemote(a, 'c', kubeconfig);
      await waitFor(`${what}: condition`, async () => want.test(await cond('c', 'Connected')), {
        timeoutMs: 20_000,
      });
    }
    await storeRemote(a, 'c', good);
    await waitFor(
      'C recovers',
      async () =>
        (await cond('c', 'Connected')).startsWith('True') && (await cond('c', 'Synced')).startsWith('True'),
      { timeoutMs: 30_000 },
    );
    assert.deepEqual(await names('c'), await podsOf('c'));
  });

  it('removes a cluster when its RemoteClusterConfiguration is deleted, with its metrics', async () => {
    const clusterSeries = async (cluster: string): Promise<string[]> => {
      const r = await httpsRequest(`https://127.0.0.1:${fm.port}/metrics`, {
        ca: fm.caPem,
        cert: cp.cluster('a').pki.admin.certPem,
        key: cp.cluster('a').pki.admin.keyPem,
      });
      return r.body
        .split('\n')
        .filter((l) => l.startsWith('fedmesh_cluster_') && l.includes(`cluster="${cluster}"`));
    };
    assert.ok((await clusterSeries('c')).length > 0, 'C has per-cluster series while connected');
    await kubectlOk(kcA, ['delete', 'rcc', 'c']);
    await waitFor('C gone', async () => (await names('c')).length === 0, { timeoutMs: 15_000 });
    await waitFor('no metric series of C left', async () => (await clusterSeries('c')).length === 0);
    assert.ok((await clusterSeries('b')).length > 0, "B's series stay");
    await connect(cp.cluster('a'), cp.cluster('c'));
    await waitFor('C back', async () => (await names('c')).length === 1, { timeoutMs: 30_000 });
  });

  it('ends watches cleanly when fedmesh-apiserver restarts, and lists the same set after', async () => {
    const before = await kubectlOk(kcA, ['get', 'fep', '-A', '-o', 'name']);
    // A raw watch through kube-apiserver, to see exactly how the stream ends.
    const w = rawWatch(cp.cluster('a'), '/apis/federated.mesh/v1alpha1/federatedendpoints?watch=true');
    await waitFor('initial events', async () => w.lines().some((l) => l.includes('c.web-0')));
    fm = await fm.restart();
    const end = await w.ended;
    assert.equal(end, 'end', 'the response is terminated properly, not aborted');
    for (const l of w.lines())
      assert.ok(['ADDED', 'MODIFIED', 'DELETED'].includes((JSON.parse(l) as { type: string }).type), l);
    await waitFor(
      'same set after restart',
      async () => (await kubectl(kcA, ['get', 'fep', '-A', '-o', 'name'])).stdout === before,
      { timeoutMs: 30_000 },
    );
  });
});
