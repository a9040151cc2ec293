// select.test.ts: `kubectl mesh select` through the real kubectl against two connected clusters.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from '../../../test/harness/connect.js';
import { startControlPlane, type ControlPlane } from '../../../test/harness/controlplane.js';
import { startLocalFedmesh, type LocalFedmesh } from '../../../test/harness/fedmesh.js';
import { kubectlOk } from '../../../test/harness/kubectl.js';
import { waitFor } from '../../../test/harness/wait.js';
import { createPods } from '../../../test/e2e/fixtures.js';
import { pluginEnv, type PluginEnv } from '../connect/testenv.js';
import type { Review } from './select.js';

let cp: ControlPlane;
let servers: LocalFedmesh[] = [];
let env: PluginEnv;

describe('kubectl mesh select', () => {
  before(async () => {
    cp = await startControlPlane({ clusters: ['cluster-a', 'cluster-b'] });
    const [a, b] = [cp.cluster('cluster-a'), cp.cluster('cluster-b')];
    servers = [await startLocalFedmesh(a), await startLocalFedmesh(b)];
    const db = (ip: string, i: number): Parameters<typeof createPods>[1][number] => ({
      ns: 'shop',
      name: `db-${i}`,
      labels: { app: 'db' },
      ip,
      node: 'n1',
    });
    await createPods(a.kubeconfig, [db('10.10.1.10', 0), { ...db('10.10.1.20', 1), labels: { app: 'web' } }]);
    await createPods(b.kubeconfig, [db('10.20.1.10', 0), db('10.20.1.11', 1)]);
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
    assert.match(lines[0]!, /^CLUSTER\s+NAMESPACE\s+NAME\s+KIND\s+IPS$/);
    assert.match(lines[1]!, /^cluster-a\s+shop\s+db-0\s+workload\s+10\.10\.1\.10$/);
    assert.match(lines[2]!, /^cluster-b\s+shop\s+db-0\s+workload\s+10\.20\.1\.10$/);
    assert.match(lines[3]!, /^cluster-b\s+shop\s+db-1\s+workload\s+10\.20\.1\.11$/);
    assert.match(r.stdout, /\nCIDRs: 10\.10\.1\.10\/32, 10\.20\.1\.10\/31\n/);
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
    assert.deepEqual(review.status.cidrs, ['10.10.1.10/32', '10.20.1.10/31']);
  });

  it('an invalid selector exits 1 with a caret under the error', async () => {
    const r = await env.kubectl('mesh', 'select', 'app == "db" &&& x', '-A', '--context', 'cluster-a');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /error: invalid selector at position 14/);
    assert.match(r.stderr, /\n {2}app == "db" &&& x\n {16}\^\n/);
  });
});
