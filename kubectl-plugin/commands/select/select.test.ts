// select.test.ts: `kubectl mesh select` through the real kubectl against two connected clusters.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from '../../../test/harness/connect.js';
import { startControlPlane, type ControlPlane } from '../../../test/harness/controlplane.js';
import { startLocalFedmesh, type LocalFedmesh } from '../../../test/harness/fedmesh.js';
import { kubectlOk } from '../../../test/harness/kubectl.js';
import { waitFor } from '../../../test/harness/wait.js';
import { ensureNamespaces } from '../../../test/e2e/fixtures.js';
import { createTestPods, waitPodsReady, type TestPod } from '../../../test/harness/nodes/pods.js';
import { pluginEnv, type PluginEnv } from '../../../test/support/pluginenv.js';
import type { Review } from './select.js';

let cp: ControlPlane;
let servers: LocalFedmesh[] = [];
let env: PluginEnv;

// ipOf maps "cluster/pod" to the IP its kubelet gave it.
const ipOf = new Map<string, string>();

/** cover is the minimal CIDR cover of a few pod IPs (/32s, or a /31 for an aligned adjacent pair). */
function cover(ips: string[]): string[] {
  const n = (ip: string): number => ip.split('.').reduce((a, b) => a * 256 + Number(b), 0);
  const sorted = [...ips].sort((a, b) => n(a) - n(b));
  const out: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    const b = sorted[i + 1];
    if (b && n(a) % 2 === 0 && n(b) === n(a) + 1) {
      out.push(`${a}/31`);
      i++;
    } else out.push(`${a}/32`);
  }
  return out;
}

describe('kubectl mesh select', () => {
  before(async () => {
    // Real nodes: the endpoints' IPs come from each node's kubelet and CNI chain.
    cp = await startControlPlane({ clusters: ['cluster-a', 'cluster-b'], nodes: { perCluster: 1 } });
    const [a, b] = [cp.cluster('cluster-a'), cp.cluster('cluster-b')];
    servers = [await startLocalFedmesh(a), await startLocalFedmesh(b)];
    const pod = (cluster: string, name: string, app: string): TestPod => ({
      namespace: 'shop',
      name,
      labels: { app },
      node: `${cluster}-node-1`,
    });
    const image = cp.nodes!.images.workload.ref;
    for (const [c, pods] of [
      [a, [pod('cluster-a', 'db-0', 'db'), pod('cluster-a', 'db-1', 'web')]],
      [b, [pod('cluster-b', 'db-0', 'db'), pod('cluster-b', 'db-1', 'db')]],
    ] as const) {
      await ensureNamespaces(c.kubeconfig, ['shop']);
      await createTestPods(c.kubeconfig, [...pods], image);
      for (const p of await waitPodsReady(c.kubeconfig, 'shop', ['db-0', 'db-1']))
        ipOf.set(`${c.name}/${p.name}`, p.ip);
    }
    await connect(a, b);
    await waitFor(
      'cluster-b pods in cluster-a',
      async () =>
        (await kubectlOk(a.kubeconfig, ['get', 'fep', '-n', 'shop', '-o', 'name'])).includes(
          'cluster-b.db-1',
        ),
      { timeoutMs: 30_000 },
    );
    env = pluginEnv([a.kubeconfig, b.kubeconfig]);
  });
  after(async () => {
    env?.cleanup();
    await Promise.allSettled(servers.map((s) => s.stop()));
    await cp?.stop();
  });

  it('prints the matches grouped by cluster, then the CIDR set', async () => {
    const r = await env.kubectl('mesh', 'select', "app == 'db'", '-n', 'shop', '--context', 'cluster-a');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const lines = r.stdout.split('\n');
    const ip = (k: string): string => ipOf.get(k)!.replaceAll('.', '\\.');
    assert.match(lines[0]!, /^CLUSTER\s+NAMESPACE\s+NAME\s+KIND\s+IPS$/);
    assert.match(lines[1]!, new RegExp(`^cluster-a\\s+shop\\s+db-0\\s+workload\\s+${ip('cluster-a/db-0')}$`));
    assert.match(lines[2]!, new RegExp(`^cluster-b\\s+shop\\s+db-0\\s+workload\\s+${ip('cluster-b/db-0')}$`));
    assert.match(lines[3]!, new RegExp(`^cluster-b\\s+shop\\s+db-1\\s+workload\\s+${ip('cluster-b/db-1')}$`));
    const cidrs = cover(['cluster-a/db-0', 'cluster-b/db-0', 'cluster-b/db-1'].map((k) => ipOf.get(k)!));
    assert.ok(r.stdout.includes(`\nCIDRs: ${cidrs.join(', ')}\n`), r.stdout);
    assert.match(r.stdout, /3 endpoints in 2 cluster\(s\) match app == "db" in namespace shop\./);
  });

  it('without -n uses the context namespace (default); -A looks everywhere', async () => {
    const none = await env.kubectl('mesh', 'select', "app == 'db'", '--context', 'cluster-a');
    assert.equal(none.status, 0, none.stderr);
    assert.match(none.stderr, /No endpoints in namespace default match/);
    const all = await env.kubectl(
      'mesh',
      'select',
      'has(app)',
      '-A',
      '--context',
      'cluster-a',
      '--limit',
      '2',
    );
    assert.match(all.stdout, /2 of 4 endpoints/);
  });

  it('-o json is the SelectorReview', async () => {
    const r = await env.kubectl(
      'mesh',
      'select',
      "app == 'db'",
      '-n',
      'shop',
      '--context',
      'cluster-a',
      '-o',
      'json',
    );
    assert.equal(r.status, 0, r.stderr);
    const review = JSON.parse(r.stdout) as Review;
    assert.equal(review.status.matchCount, 3);
    assert.deepEqual(
      review.status.cidrs,
      cover(['cluster-a/db-0', 'cluster-b/db-0', 'cluster-b/db-1'].map((k) => ipOf.get(k)!)),
    );
  });

  it('shows a user only the endpoints it may list, and says so', async () => {
    const a = cp.cluster('cluster-a');
    await kubectlOk(a.kubeconfig, ['create', 'namespace', 'elsewhere']);
    await kubectlOk(a.kubeconfig, [
      ...['create', 'rolebinding', 'dev-view', '-n', 'elsewhere'],
      ...['--clusterrole=fedmesh-view', '--user=dev'],
    ]);
    const dev = pluginEnv([a.userKubeconfig('dev')]);
    try {
      const r = await dev.kubectl('mesh', 'select', "app == 'db'", '-A');
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /Only endpoints you may list are shown/);
      assert.match(r.stderr, /No endpoints in any namespace match/);
    } finally {
      dev.cleanup();
    }
  });

  it('an invalid selector exits 1 with a caret under the error', async () => {
    const r = await env.kubectl('mesh', 'select', 'app == "db" &&& x', '-A', '--context', 'cluster-a');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /error: invalid selector at position 14/);
    assert.match(r.stderr, /\n {2}app == "db" &&& x\n {16}\^\n/);
  });
});
