// policy.test.ts: MeshNetworkPolicies against real control planes. Cluster A's policy names pods
// of A and B; fedmesh-apiserver in A serves the IP sets (kubectl get fips, slices), follows B's
// pods, reports an invalid policy on its status without touching the others, and removes the
// sets with the last policy that used them.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { Core } from '../../core/index.js';
import { PolicyWatch } from '../../node/agent/policysource.js';
import { pluginEnv } from '../support/pluginenv.js';
import { connect } from '../harness/connect.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { applyObjects, startLocalFedmesh, type LocalFedmesh } from '../harness/fedmesh.js';
import { kubectlOk } from '../harness/kubectl.js';
import { waitFor } from '../harness/wait.js';
import { createPods, ensureNamespaces } from './fixtures.js';
import { startWatch } from './watch-helper.js';

let cp: ControlPlane;
let fm: LocalFedmesh;
let kcA: string;
let kcB: string;

const policy = (name: string, spec: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: 'config.federated.mesh/v1alpha1',
  kind: 'MeshNetworkPolicy',
  metadata: { name, namespace: 'shop' },
  spec,
});

const dbPolicy = policy('db-from-frontends', {
  selector: "app == 'db'",
  ingress: [
    {
      action: 'Allow',
      protocol: 'TCP',
      source: { selector: "app == 'frontend'" },
      destination: { ports: [5432] },
    },
  ],
});

/** setOf returns the name of the FederatedIPSet whose selector mentions text, or undefined. */
async function setOf(text: string): Promise<string | undefined> {
  const out = await kubectlOk(kcA, [
    'get',
    'fips',
    '-o',
    'jsonpath={range .items[*]}{.metadata.name} {.spec.selector}{"\\n"}{end}',
  ]);
  return out
    .split('\n')
    .find((l) => l.includes(text))
    ?.split(' ')[0];
}

/** members lists a set's members from its slices, sorted. */
async function members(set: string): Promise<string[]> {
  const out = await kubectlOk(kcA, [
    'get',
    'federatedipsetslices',
    '-l',
    `federated.mesh/ipset=${set}`,
    '-o',
    'jsonpath={.items[*].members[*]}',
  ]);
  return out.split(/\s+/).filter(Boolean).sort();
}

const validOf = async (name: string): Promise<string> =>
  await kubectlOk(kcA, [
    'get',
    'mnp',
    name,
    '-n',
    'shop',
    '-o',
    'jsonpath={.status.conditions[?(@.type=="Valid")].status}/{.status.conditions[?(@.type=="Valid")].message}',
  ]);

before(async () => {
  cp = await startControlPlane({ clusters: ['a', 'b'] });
  kcA = cp.cluster('a').kubeconfig;
  kcB = cp.cluster('b').kubeconfig;
  fm = await startLocalFedmesh(cp.cluster('a'));
  await connect(cp.cluster('a'), cp.cluster('b'));
  await ensureNamespaces(kcA, ['shop']);
  await createPods(kcA, [
    { ns: 'shop', name: 'db', labels: { app: 'db' }, ip: '10.10.0.5', node: 'a-n1' },
    { ns: 'shop', name: 'web', labels: { app: 'frontend' }, ip: '10.10.0.6', node: 'a-n1' },
  ]);
  await createPods(kcB, [
    { ns: 'shop', name: 'web', labels: { app: 'frontend' }, ip: '10.20.0.6', node: 'b-n1' },
    { ns: 'other', name: 'web', labels: { app: 'frontend' }, ip: '10.20.0.7', node: 'b-n1' },
  ]);
  await waitFor("A to see B's pods", async () =>
    (await kubectlOk(kcA, ['get', 'fep', '-n', 'shop', '-o', 'name'])).includes('b.web'),
  );
});

after(async () => {
  await fm?.stop();
  await cp?.stop();
});

describe('MeshNetworkPolicy on real control planes', () => {
  it('serves the IP sets of a policy with members of both clusters, and marks the policy Valid', async () => {
    await applyObjects(kcA, [dbPolicy]);
    await waitFor('the frontend set', async () => (await setOf('frontend')) !== undefined);
    const fe = (await setOf('frontend'))!;
    await waitFor(
      'both frontends in the set',
      async () => (await members(fe)).join() === '10.10.0.6,10.20.0.6',
    );
    const db = (await setOf('"db"'))!;
    assert.deepEqual(await members(db), ['10.10.0.5']);
    const table = await kubectlOk(kcA, ['get', 'fips', fe]);
    assert.match(table, /SELECTOR\s+MEMBERS\s+CLUSTERS\s+AGE/);
    assert.match(table, /app == "frontend" && federated.mesh\/namespace == "shop"\)\s+2\s+a,b\s/);
    await waitFor('Valid=True', async () => (await validOf('db-from-frontends')).startsWith('True/'));
    const ipSets = await kubectlOk(kcA, [
      'get',
      'mnp',
      'db-from-frontends',
      '-n',
      'shop',
      '-o',
      'jsonpath={.status.ipSets}',
    ]);
    assert.ok(ipSets.includes(fe) && ipSets.includes(db), ipSets);
  });

  it('kubectl mesh explain says who owns an address and which rule decides traffic', async () => {
    const env = pluginEnv([kcA]);
    const owner = await env.kubectl('mesh', 'explain', '10.20.0.6');
    assert.equal(owner.status, 0, owner.stderr);
    assert.match(owner.stdout, /^10\.20\.0\.6 is pod shop\/web of cluster b\.$/m);
    assert.match(owner.stdout, new RegExp(`^  ${(await setOf('frontend'))!}  \\(app == "frontend"`, 'm'));
    assert.match(owner.stdout, /decided by the policies of cluster b/);
    const db = await env.kubectl('mesh', 'explain', '-n', 'shop', 'a.db');
    assert.match(db.stdout, /Policies selecting it for ingress: shop\/db-from-frontends/);
    assert.match(db.stdout, /Policies selecting it for egress: none/);
    const allowed = await env.kubectl(
      'mesh',
      'explain',
      '-n',
      'shop',
      '--from',
      'b.web',
      '--to',
      'a.db',
      '--port',
      '5432/TCP',
    );
    assert.equal(allowed.status, 0, allowed.stderr);
    assert.match(allowed.stdout, /egress of the source: decided by cluster b's policies/);
    assert.match(
      allowed.stdout,
      /ingress of the destination: ALLOW by shop\/db-from-frontends ingress rule 0 \(Allow TCP from set fips-[0-9a-f]+ to ports 5432\)/,
    );
    assert.match(allowed.stdout, /^Verdict: allowed/m);
    const port = await env.kubectl(
      'mesh',
      'explain',
      '-n',
      'shop',
      '--from',
      'b.web',
      '--to',
      'a.db',
      '--port',
      '5433',
    );
    assert.match(
      port.stdout,
      /DENY: selected by shop\/db-from-frontends, and no rule allowed it \(default deny\)/,
    );
    const otherNs = await env.kubectl(
      'mesh',
      'explain',
      '--from',
      '10.20.0.7',
      '--to',
      '10.10.0.5',
      '--port',
      '5432',
      '-o',
      'json',
    );
    const j = JSON.parse(otherNs.stdout) as { allowed: boolean; ingress: { reason: string } };
    assert.deepEqual([j.allowed, j.ingress.reason], [false, 'default-deny']);
    const bad = await env.kubectl('mesh', 'explain', '--from', 'b.web');
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /--from and --to go together/);
  });

  it('follows pods of the remote cluster: a new frontend is one slice change', async () => {
    const fe = (await setOf('frontend'))!;
    const w = startWatch(kcA, [
      'get',
      'federatedipsetslices',
      '-w',
      '--output-watch-events',
      '-o',
      'jsonpath={.type} {.object.metadata.name} {.object.members}{"\\n"}',
    ]);
    try {
      await w.waitFor(new RegExp(`ADDED ${fe}-0 `));
      await createPods(kcB, [
        { ns: 'shop', name: 'web2', labels: { app: 'frontend' }, ip: '10.20.0.8', node: 'b-n1' },
      ]);
      await w.waitFor(new RegExp(`MODIFIED ${fe}-0 .*10\\.20\\.0\\.8`));
      assert.deepEqual(await members(fe), ['10.10.0.6', '10.20.0.6', '10.20.0.8']);
      await kubectlOk(kcB, ['label', 'pod', 'web2', '-n', 'shop', 'app=backend', '--overwrite']);
      await waitFor(
        'the relabelled pod to leave the set',
        async () => !(await members(fe)).includes('10.20.0.8'),
      );
    } finally {
      await w.stop();
    }
  });

  it("gives fedmesh-node's policy source the compiled policies, complete sets and member deltas", async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(kcA);
    let changes = 0;
    const src = new PolicyWatch(kc, Core.load(), 'a-n1');
    src.subscribe(() => changes++);
    src.run();
    try {
      await waitFor('a ready view', async () => src.take().ready);
      const view = src.take();
      const pol = view.model.policies.find((p) => p.key === 'shop/db-from-frontends')!;
      const fe = pol.ingress![0]!.source!.set!;
      assert.equal(fe, await setOf('frontend'), 'the node names the set as the server does');
      assert.deepEqual([...view.model.sets.get(fe)!].sort(), ['10.10.0.6', '10.20.0.6']);
      await createPods(kcB, [
        { ns: 'shop', name: 'web3', labels: { app: 'frontend' }, ip: '10.20.0.9', node: 'b-n1' },
      ]);
      await waitFor('the delta of the new member', async () => {
        const d = src.take().deltas.get(fe);
        return d !== undefined && [...d.added].join() === '10.20.0.9' && d.removed.size === 0;
      });
      assert.ok(changes > 0);
      assert.deepEqual(
        src
          .localPods()
          .map((p) => p.ips.join())
          .sort(),
        ['10.10.0.5', '10.10.0.6'],
        "this node's pods of the local cluster",
      );
    } finally {
      src.stop();
    }
  });

  it('an invalid policy says why on its status and the others keep their sets', async () => {
    await applyObjects(kcA, [
      policy('broken', {
        selector: "app == 'db'",
        ingress: [{ action: 'Allow', source: { selector: "app == 'x" } }],
      }),
    ]);
    await waitFor('Valid=False', async () => (await validOf('broken')).startsWith('False/'));
    assert.match(await validOf('broken'), /spec\.ingress\[0\]\.source\.selector: invalid selector/);
    const list = await kubectlOk(kcA, ['get', 'mnp', '-n', 'shop']);
    assert.match(list, /broken\s+False\s/);
    assert.ok((await setOf('frontend')) !== undefined, 'the valid policy keeps its sets');
    const diag = await pluginEnv([kcA]).kubectl('mesh', 'diagnose');
    assert.match(
      diag.stdout,
      /^\[FAIL\] MeshNetworkPolicy shop\/broken is not enforced: the policy is not enforced: spec\.ingress\[0\]\.source\.selector: invalid selector/m,
    );
    assert.match(diag.stdout, /fix: kubectl edit meshnetworkpolicy broken -n shop/);
  });

  it('after a restart, serves no set until every cluster has synced, so nodes keep their rules', async () => {
    const fe = (await setOf('frontend'))!;
    const before = await members(fe);
    await cp.cluster('b').stopApiserver();
    fm = await fm.restart();
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(
      (await kubectlOk(kcA, ['get', 'fips', '-o', 'name'])).trim(),
      '',
      'no partial sets while B is down',
    );
    await cp.cluster('b').start();
    await waitFor(
      'the sets with both clusters again',
      async () => (await members(fe)).join() === before.join(),
      {
        timeoutMs: 60_000,
      },
    );
  });

  it('deleting the last policy that uses a set removes it and its slices', async () => {
    await kubectlOk(kcA, ['delete', 'mnp', '-n', 'shop', 'db-from-frontends', 'broken']);
    await waitFor('no sets', async () => (await kubectlOk(kcA, ['get', 'fips', '-o', 'name'])).trim() === '');
    assert.equal((await kubectlOk(kcA, ['get', 'federatedipsetslices', '-o', 'name'])).trim(), '');
  });

  it('serves the sets and slices read-only', async () => {
    const out = await kubectlOk(kcA, ['api-resources', '--api-group', 'federated.mesh', '-o', 'wide']);
    assert.match(
      out,
      /^federatedipsets\s+fips\s+federated.mesh\/v1alpha1\s+false\s+FederatedIPSet\s+get,list,watch\s+mesh/m,
    );
    assert.match(
      out,
      /^federatedipsetslices\s+federated.mesh\/v1alpha1\s+false\s+FederatedIPSetSlice\s+get,list,watch\s*$/m,
    );
  });
});
