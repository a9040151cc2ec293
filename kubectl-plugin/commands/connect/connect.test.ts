// connect.test.ts: `kubectl mesh connect` and `disconnect` through the real kubectl against real
// control planes with fedmesh running: preflight failures change nothing, a bidirectional connect
// syncs both ways, re-running is a no-op, disconnect removes the remote's endpoints.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { startControlPlane, type ControlPlane } from '../../../test/harness/controlplane.js';
import { startLocalFedmesh, type LocalFedmesh } from '../../../test/harness/fedmesh.js';
import { kubectl as kc, kubectlOk } from '../../../test/harness/kubectl.js';
import { waitFor } from '../../../test/harness/wait.js';
import { createNodes, createPods } from '../../../test/e2e/fixtures.js';
import { pluginEnv, type PluginEnv } from '../../../test/support/pluginenv.js';

const NAMES = ['cluster-a', 'cluster-b', 'cluster-c'];
let cp: ControlPlane;
let servers: LocalFedmesh[] = [];
let env: PluginEnv;
const kcOf = (n: string): string => cp.cluster(n).kubeconfig;

async function seed(name: string, podCIDR: string, ip: string, app: string): Promise<void> {
  const node = `${name}-node-1`;
  await createNodes(kcOf(name), [
    { name: node, internalIP: `203.0.113.${NAMES.indexOf(name) + 1}`, podCIDR },
  ]);
  await createPods(kcOf(name), [{ ns: 'shop', name: `${app}-0`, labels: { app }, ip, node }]);
}

async function feps(consumer: string): Promise<string> {
  return kubectlOk(kcOf(consumer), ['get', 'fep', '-A', '-o', 'name']);
}

describe('kubectl mesh connect / disconnect', () => {
  before(async () => {
    cp = await startControlPlane({ clusters: NAMES });
    servers = [
      await startLocalFedmesh(cp.cluster('cluster-a')),
      await startLocalFedmesh(cp.cluster('cluster-b')),
    ];
    await seed('cluster-a', '10.10.1.0/24', '10.10.1.11', 'frontend');
    await seed('cluster-b', '10.20.1.0/24', '10.20.1.11', 'db');
    await seed('cluster-c', '10.10.1.0/24', '10.10.1.99', 'clash'); // overlaps cluster-a, no fedmesh
    env = pluginEnv(NAMES.map(kcOf));
  });
  after(async () => {
    env?.cleanup();
    await Promise.allSettled(servers.map((s) => s.stop()));
    await cp?.stop();
  });

  it('preflight: overlapping pod CIDRs fail before anything is created', async () => {
    const r = await env.kubectl('mesh', 'connect', '--context', 'cluster-a', '--to-context', 'cluster-c');
    assert.equal(r.status, 1, r.stdout);
    assert.match(
      r.stdout,
      /FAIL {2}pod CIDRs overlap: cluster-a 10\.10\.1\.0\/24 and cluster-c 10\.10\.1\.0\/24/,
    );
    assert.match(r.stderr, /error: preflight failed: pod CIDRs overlap/);
    const sa = await kc(kcOf('cluster-c'), ['get', 'sa', '-n', 'fedmesh', 'fedmesh-reader-cluster-a']);
    assert.notEqual(sa.code, 0, 'nothing is created in the remote cluster');
  });

  it('preflight: a consumer without fedmesh fails with the install hint', async () => {
    const r = await env.kubectl('mesh', 'connect', '--context', 'cluster-c', '--to-context', 'cluster-b');
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, /FAIL {2}fedmesh is not installed in cluster-c/);
    assert.match(r.stderr, /run: kubectl mesh install --context cluster-c/);
  });

  it('--dry-run=client -o yaml prints the objects of both sides without a token', async () => {
    const r = await env.kubectl(
      'mesh',
      'connect',
      '--context',
      'cluster-a',
      '--to-context',
      'cluster-b',
      '--dry-run=client',
      '-o',
      'yaml',
    );
    assert.equal(r.status, 0, r.stderr);
    const list = parseAllDocuments(r.stdout)[0]!.toJS() as {
      items: { kind: string; stringData?: { kubeconfig: string } }[];
    };
    assert.deepEqual(
      list.items.map((o) => o.kind),
      [
        'Namespace',
        'ServiceAccount',
        'ClusterRole',
        'ClusterRoleBinding',
        'Role',
        'RoleBinding',
        'Namespace',
        'Secret',
        'RemoteClusterConfiguration',
      ],
    );
    assert.match(list.items[7]!.stringData!.kubeconfig, /token: <issued by a TokenRequest when applied>/);
    assert.notEqual((await kc(kcOf('cluster-a'), ['get', 'rcc', 'cluster-b'])).code, 0, 'nothing applied');
  });

  it('--bidirectional connects both ways: both Synced, each lists the other pods', async () => {
    const r = await env.kubectl(
      'mesh',
      'connect',
      '--context',
      'cluster-a',
      '--to-context',
      'cluster-b',
      '--bidirectional',
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stderr, '', 'no warnings on success');
    assert.match(r.stdout, /OK {4}cluster-b API answers the new credential/);
    assert.match(r.stdout, /cluster-a is connected to cluster-b \(as "cluster-b"\)/);
    assert.match(r.stdout, /cluster-b is connected to cluster-a \(as "cluster-a"\)/);
    for (const [consumer, remote] of [
      ['cluster-a', 'cluster-b'],
      ['cluster-b', 'cluster-a'],
    ] as const) {
      const synced = await kubectlOk(kcOf(consumer), [
        'get',
        'rcc',
        remote,
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Synced")].status}',
      ]);
      assert.equal(synced, 'True');
    }
    assert.match(await feps('cluster-a'), /federatedendpoint\.federated\.mesh\/cluster-b\.db-0/);
    assert.match(await feps('cluster-b'), /federatedendpoint\.federated\.mesh\/cluster-a\.frontend-0/);
  });

  it('re-running connect is a no-op success that keeps the stored token', async () => {
    const before = await kubectlOk(kcOf('cluster-a'), [
      'get',
      'secret',
      '-n',
      'fedmesh',
      'remote-cluster-b',
      '-o',
      'jsonpath={.metadata.resourceVersion}',
    ]);
    const r = await env.kubectl('mesh', 'connect', '--context', 'cluster-a', '--to-context', 'cluster-b');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /stored token kept/);
    const now = await kubectlOk(kcOf('cluster-a'), [
      'get',
      'secret',
      '-n',
      'fedmesh',
      'remote-cluster-b',
      '-o',
      'jsonpath={.metadata.resourceVersion}',
    ]);
    assert.equal(now, before, 'the Secret is unchanged');
  });

  it('disconnect removes the RCC, the Secret and the reader; the remote pods go; it can be re-run', async () => {
    const args = ['mesh', 'disconnect', 'cluster-b', '--context', 'cluster-a', '--to-context', 'cluster-b'];
    const r = await env.kubectl(...args);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /remoteclusterconfiguration\/cluster-b deleted in cluster-a/);
    assert.match(r.stdout, /serviceaccount\/fedmesh-reader-cluster-a -n fedmesh deleted in cluster-b/);
    assert.match(r.stdout, /clusterrole\/fedmesh-remote-reader/);
    assert.notEqual(
      (await kc(kcOf('cluster-a'), ['get', 'secret', '-n', 'fedmesh', 'remote-cluster-b'])).code,
      0,
    );
    await waitFor(
      'cluster-b pods gone from cluster-a',
      async () => !(await feps('cluster-a')).includes('cluster-b.'),
      { timeoutMs: 30_000 },
    );
    // cluster-b still pulls from cluster-a, whose reader for cluster-b is untouched.
    assert.match(await feps('cluster-b'), /cluster-a\.frontend-0/);
    const again = await env.kubectl(...args);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /remoteclusterconfiguration\/cluster-b not found \(already gone\)/);
  });
});
