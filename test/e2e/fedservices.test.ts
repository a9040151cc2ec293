// fedservices.test.ts: federated services on three real clusters with a real node each (kubelet,
// containerd, kube-proxy in nftables mode; kube-controller-manager with its EndpointSlice
// controller). A Service in A annotated with app == 'db' gets one EndpointSlice per cluster holding
// the app=db Services' pods of A, B and C; A's kube-proxy load-balances its ClusterIP to all of
// them; changes in B show in A; conflicts and refusals are visible; hand edits are reverted; B's
// outage keeps its slices for the grace period, then removes them, and they return with B.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { connect } from '../harness/connect.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { startLocalFedmesh, type LocalFedmesh } from '../harness/fedmesh.js';
import { kubectl, kubectlOk } from '../harness/kubectl.js';
import { createTestPods, waitPodsReady, type PodInfo } from '../harness/nodes/pods.js';
import { packageRoot } from '../harness/root.js';
import { waitFor } from '../harness/wait.js';
import { ensureNamespaces } from './fixtures.js';
import {
  NS,
  addressesBySource,
  applyIn,
  backingService,
  federatedService,
  fsvcCondition,
  slicesOf,
} from './fedservices-helpers.js';

const GRACE_SECONDS = 20;
const run = promisify(execFile);
let cp: ControlPlane;
let fm: LocalFedmesh;
const pods = new Map<string, PodInfo>();
const kc = (c: string): string => cp.cluster(c).kubeconfig;

async function startPods(cluster: string, names: string[], app = 'db'): Promise<void> {
  await createTestPods(
    kc(cluster),
    names.map((name) => ({ name, namespace: NS, node: `${cluster}-node-1`, labels: { app } })),
    cp.nodes!.images.workload.ref,
  );
  for (const p of await waitPodsReady(kc(cluster), NS, names)) pods.set(`${cluster}/${p.name}`, p);
}

const ipsOf = (...keys: string[]): string[] => keys.map((k) => pods.get(k)!.ip).sort();

/** want is the expected addresses per source cluster of A's db-global slices. */
async function converges(what: string, want: Record<string, string[]>, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    what,
    async () => JSON.stringify(await addressesBySource(kc('a'), 'db-global')) === JSON.stringify(want),
    {
      timeoutMs,
      intervalMs: 250,
    },
  );
}

before(async () => {
  cp = await startControlPlane({ clusters: ['a', 'b', 'c'], nodes: { perCluster: 1 } });
  fm = await startLocalFedmesh(cp.cluster('a'), undefined, { staleGracePeriodSeconds: GRACE_SECONDS });
  for (const c of ['a', 'b', 'c']) {
    await ensureNamespaces(kc(c), [NS]);
    await applyIn(kc(c), [backingService('db', { app: 'db' })]);
  }
  await startPods('a', ['db-a-0']);
  await createTestPods(
    kc('a'),
    [{ name: 'client', namespace: NS, node: 'a-node-1', labels: { app: 'client' } }],
    cp.nodes!.images.workload.ref,
  );
  await startPods('b', ['db-b-0', 'db-b-1']);
  await startPods('c', ['db-c-0']);
  await connect(cp.cluster('a'), cp.cluster('b'));
  await connect(cp.cluster('a'), cp.cluster('c'));
});
after(async () => {
  await fm?.stop();
  await cp?.stop();
});

describe('federated services across three clusters', () => {
  it('gives a federated Service in A one EndpointSlice per cluster with the pods of A, B and C', async () => {
    await applyIn(kc('a'), [federatedService('db-global')]);
    const want = { a: ipsOf('a/db-a-0'), b: ipsOf('b/db-b-0', 'b/db-b-1'), c: ipsOf('c/db-c-0') };
    await converges('slices for a, b and c', want, 60_000);
    const slices = await slicesOf(kc('a'), 'db-global');
    assert.deepEqual(
      slices.map((s) => [s.name, s.managedBy, s.source, s.ports]),
      ['a', 'b', 'c'].map((c) => [`db-global.${c}.ipv4.0`, 'federated.mesh', c, 'tcp:8080/TCP']),
    );
    assert.deepEqual(slices[1]!.targets, ['b/db-b-0', 'b/db-b-1'], 'remote targets are <cluster>/<pod>');
    assert.deepEqual(slices[0]!.targets, ['db-a-0']);
    await waitFor('fsvc Ready', async () =>
      (await fsvcCondition(kc('a'), 'db-global', 'Ready')).startsWith('True/'),
    );
    const table = await kubectlOk(kc('a'), ['get', 'fsvc', '-n', NS]);
    assert.match(table, /^NAME\s+SELECTOR\s+CLUSTERS\s+ENDPOINTS\s+READY\s+AGE/);
    assert.match(table, /db-global\s+app == 'db'\s+a:1,b:2,c:1\s+4\/4\s+True\s+\d+s/);
  });

  it("programs A's kube-proxy with the remote endpoints and answers from pods of A, B and C", async () => {
    const ip = (
      await kubectlOk(kc('a'), ['get', 'svc', '-n', NS, 'db-global', '-o', 'jsonpath={.spec.clusterIP}'])
    ).trim();
    const netns = cp.nodes!.node('a-node-1', 'a').plan.netns;
    await waitFor('kube-proxy rules for every endpoint', () => {
      const rules = execFileSync('ip', [
        'netns',
        'exec',
        netns,
        'nft',
        'list',
        'table',
        'ip',
        'kube-proxy',
      ]).toString();
      return Promise.resolve(ipsOf('b/db-b-0', 'b/db-b-1', 'c/db-c-0').every((p) => rules.includes(p)));
    });
    await waitPodsReady(kc('a'), NS, ['client']);
    const seen = new Set<string>();
    await waitFor(
      `answers from every cluster through ${ip}:80`,
      async () => {
        const r = await kubectl(
          kc('a'),
          [
            'exec',
            '-n',
            NS,
            'client',
            '--',
            'sh',
            '-c',
            `for i in $(seq 24); do nc -w 2 ${ip} 80 </dev/null; done`,
          ],
          { timeoutMs: 90_000 },
        );
        for (const m of r.stdout.matchAll(/^pod=(\S+) /gm)) seen.add(m[1]!);
        return ['db-a-0', 'db-b-0', 'db-b-1', 'db-c-0'].every((p) => seen.has(p));
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
  });

  it('follows B: a new pod, a deleted pod, a relabelled and a deleted backing Service', async () => {
    await startPods('b', ['db-b-2']);
    await converges('new pod in B', {
      a: ipsOf('a/db-a-0'),
      b: ipsOf('b/db-b-0', 'b/db-b-1', 'b/db-b-2'),
      c: ipsOf('c/db-c-0'),
    });
    await kubectlOk(kc('b'), ['delete', 'pod', '-n', NS, 'db-b-1', '--wait=false']);
    await converges('pod deleted in B', {
      a: ipsOf('a/db-a-0'),
      b: ipsOf('b/db-b-0', 'b/db-b-2'),
      c: ipsOf('c/db-c-0'),
    });
    await kubectlOk(kc('b'), ['label', 'svc', '-n', NS, 'db', 'app=other', '--overwrite']);
    await converges('B relabelled away', { a: ipsOf('a/db-a-0'), c: ipsOf('c/db-c-0') });
    await kubectlOk(kc('b'), ['label', 'svc', '-n', NS, 'db', 'app=db', '--overwrite']);
    await converges('B back', {
      a: ipsOf('a/db-a-0'),
      b: ipsOf('b/db-b-0', 'b/db-b-2'),
      c: ipsOf('c/db-c-0'),
    });
    await kubectlOk(kc('c'), ['delete', 'svc', '-n', NS, 'db']);
    await converges('C deleted', { a: ipsOf('a/db-a-0'), b: ipsOf('b/db-b-0', 'b/db-b-2') });
    await applyIn(kc('c'), [backingService('db', { app: 'db' })]);
    await converges('C back', {
      a: ipsOf('a/db-a-0'),
      b: ipsOf('b/db-b-0', 'b/db-b-2'),
      c: ipsOf('c/db-c-0'),
    });
  });

  it('reports a port of the same name with another protocol as a Conflict condition', async () => {
    await applyIn(kc('c'), [backingService('db-udp', { app: 'db' }, 'UDP')]);
    await waitFor('Conflict', async () =>
      (await fsvcCondition(kc('a'), 'db-global', 'Conflict')).startsWith('True/'),
    );
    assert.match(
      await fsvcCondition(kc('a'), 'db-global', 'Conflict'),
      /^True\/PortProtocolMismatch\/port "tcp" is TCP here but UDP in Service db-udp of cluster c/,
    );
    const env = {
      ...process.env,
      PATH: `${join(packageRoot(), 'kubectl-plugin/bin')}:${process.env.PATH ?? ''}`,
      KUBECONFIG: kc('a'),
    };
    // A plugin takes no flag before its name, so the kubeconfig goes in KUBECONFIG.
    const status = await run('kubectl', ['mesh', 'status'], { env });
    assert.match(
      status.stdout,
      /NAMESPACE\s+SERVICE\s+SELECTOR\s+CLUSTERS\s+ENDPOINTS\s+READY\s+CONFLICT\s+PROBLEM/,
    );
    assert.match(
      status.stdout,
      /shop\s+db-global\s+app == 'db'\s+a:1,b:\d,c:1\s+\S+\s+True\s+True\s+PortProtocolMismatch: /,
    );
    await kubectlOk(kc('c'), ['delete', 'svc', '-n', NS, 'db-udp']);
    await waitFor('no conflict', async () =>
      (await fsvcCondition(kc('a'), 'db-global', 'Conflict')).startsWith('False/NoConflict'),
    );
  });

  it('refuses a Service with both the annotation and spec.selector, with a condition and an Event', async () => {
    await applyIn(kc('a'), [federatedService('both', { app: 'db' })]);
    await waitFor('Valid=False', async () =>
      (await fsvcCondition(kc('a'), 'both', 'Valid')).startsWith('False/SelectorAndSpecSelector/'),
    );
    await waitFor('Warning Event', async () =>
      (
        await kubectlOk(kc('a'), [
          'get',
          'events',
          '-n',
          NS,
          '--field-selector',
          'involvedObject.name=both',
          '-o',
          'jsonpath={.items[*].reason}',
        ])
      ).includes('FederationRefused'),
    );
    const mine = (await slicesOf(kc('a'), 'both')).filter((s) => s.managedBy === 'federated.mesh');
    assert.deepEqual(mine, [], 'no federated slices for a refused Service');
  });

  it('reverts a hand edit of an owned slice, and kube-controller-manager leaves the slices alone', async () => {
    await kubectlOk(kc('a'), [
      'patch',
      'endpointslice',
      '-n',
      NS,
      'db-global.b.ipv4.0',
      '--type=json',
      '-p',
      '[{"op":"replace","path":"/endpoints","value":[]}]',
    ]);
    await converges('edit reverted', {
      a: ipsOf('a/db-a-0'),
      b: ipsOf('b/db-b-0', 'b/db-b-2'),
      c: ipsOf('c/db-c-0'),
    });
    const before = (await slicesOf(kc('a'), 'db-global')).map((s) => `${s.name}@${s.rv}`);
    await new Promise((r) => setTimeout(r, 5000));
    const settled = await slicesOf(kc('a'), 'db-global');
    assert.deepEqual(
      settled.map((s) => `${s.name}@${s.rv}`),
      before,
      'nobody rewrites the slices',
    );
    assert.ok(
      settled.every((s) => s.managedBy === 'federated.mesh'),
      'kube-controller-manager adds no slice',
    );
  });

  it("keeps B's slices through an outage for the grace period, removes them after, and converges on return", async () => {
    const b = cp.cluster('b');
    await b.stopApiserver();
    await waitFor(
      'B slices marked stale',
      async () => (await slicesOf(kc('a'), 'db-global')).some((s) => s.source === 'b' && s.stale === 'true'),
      { timeoutMs: 30_000 },
    );
    assert.deepEqual((await addressesBySource(kc('a'), 'db-global')).b, ipsOf('b/db-b-0', 'b/db-b-2'));
    await converges(
      'B removed after the grace period',
      { a: ipsOf('a/db-a-0'), c: ipsOf('c/db-c-0') },
      (GRACE_SECONDS + 30) * 1000,
    );
    await b.start();
    await converges(
      'B back',
      { a: ipsOf('a/db-a-0'), b: ipsOf('b/db-b-0', 'b/db-b-2'), c: ipsOf('c/db-c-0') },
      90_000,
    );
    assert.ok((await slicesOf(kc('a'), 'db-global')).every((s) => s.stale === ''));
  });

  it('removes the slices when the federated Service is deleted', async () => {
    await kubectlOk(kc('a'), ['delete', 'svc', '-n', NS, 'db-global']);
    await waitFor('slices gone', async () => (await slicesOf(kc('a'), 'db-global')).length === 0);
    await waitFor(
      'fsvc gone',
      async () => (await kubectl(kc('a'), ['get', 'fsvc', '-n', NS, 'db-global'])).code !== 0,
    );
  });
});
