// controller.test.ts: policies become served IP sets that follow the mesh: members of every
// cluster, shared between policies, sliced, and gone with the last policy that used them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { FederatedIPSet, MeshNetworkPolicy, MeshNetworkPolicySpec } from '../../../api/index.js';
import { Core } from '../../../core/index.js';
import type { Logger } from '../../log.js';
import { MeshStore } from '../../mesh/meshstore.js';
import { PolicyController } from './controller.js';
import { SLICE_SIZE, sliceName } from './ipsets.js';

const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

const pod = (name: string, ip: string, labels: Record<string, string>, ns = 'shop'): V1Pod => ({
  metadata: { name, namespace: ns, uid: name, resourceVersion: '1', labels },
  spec: { containers: [] },
  status: { podIP: ip },
});

const mnp = (name: string, spec: MeshNetworkPolicySpec, ns = 'shop'): MeshNetworkPolicy => ({
  apiVersion: 'config.federated.mesh/v1alpha1',
  kind: 'MeshNetworkPolicy',
  metadata: { name, namespace: ns, generation: 1 },
  spec,
});

const allowFrontends = (name: string): MeshNetworkPolicy =>
  mnp(name, {
    selector: "app == 'db'",
    ingress: [{ action: 'Allow', source: { selector: "app == 'frontend'" } }],
  });

function setup() {
  const core = Core.load();
  const mesh = new MeshStore(core);
  const c = new PolicyController({
    core,
    selection: mesh.selection,
    stores: { sets: mesh.ipSets, slices: mesh.ipSetSlices },
    log: quiet,
  });
  const sets = (): FederatedIPSet[] => [...mesh.ipSets.keysFrom()].map((k) => mesh.ipSets.get(k)!.obj);
  const bySelector = (re: RegExp): FederatedIPSet => sets().find((s) => re.test(s.spec.selector))!;
  const members = (set: FederatedIPSet): string[] =>
    Array.from(
      { length: set.status.slices ?? 0 },
      (_, i) => mesh.ipSetSlices.get(sliceName(set.metadata.name, i))?.obj.members ?? [],
    )
      .flat()
      .sort();
  return { core, mesh, c, sets, bySelector, members };
}

describe('policy controller', () => {
  it('serves the sets a policy names, with members from every cluster', () => {
    const { mesh, c, bySelector, members, sets } = setup();
    mesh.apply('east', 'pods', [
      { upsert: pod('db', '10.1.0.10', { app: 'db' }) },
      { upsert: pod('fe', '10.1.0.20', { app: 'frontend' }) },
    ]);
    mesh.apply('west', 'pods', [
      { upsert: pod('fe', '10.2.0.20', { app: 'frontend' }) },
      { upsert: pod('fe', '10.2.0.30', { app: 'frontend' }, 'other') },
    ]);
    c.apply(allowFrontends('allow'), 'east');
    assert.equal(sets().length, 2);
    const fe = bySelector(/frontend/);
    assert.deepEqual(members(fe), ['10.1.0.20', '10.2.0.20'], 'same-named namespace only, every cluster');
    assert.deepEqual(fe.status.clusters, ['east', 'west']);
    assert.deepEqual(fe.spec.policies, ['shop/allow']);
    assert.deepEqual(fe.status.cidrs, ['10.1.0.20/32', '10.2.0.20/32']);
    const db = bySelector(/db/);
    assert.deepEqual(members(db), ['10.1.0.10'], 'the policy applies to local pods only');
    mesh.apply('west', 'pods', [{ upsert: pod('db', '10.2.0.10', { app: 'db' }) }]);
    assert.deepEqual(members(bySelector(/db/)), ['10.1.0.10']);
  });

  it('follows pods: new, relabelled and deleted members change the slice', () => {
    const { mesh, c, bySelector, members } = setup();
    c.apply(allowFrontends('allow'), 'east');
    mesh.apply('west', 'pods', [{ upsert: pod('fe', '10.2.0.20', { app: 'frontend' }) }]);
    assert.deepEqual(members(bySelector(/frontend/)), ['10.2.0.20']);
    mesh.apply('west', 'pods', [
      {
        upsert: {
          ...pod('fe', '10.2.0.20', { app: 'other' }),
          metadata: { ...pod('fe', '', {}).metadata, resourceVersion: '2', labels: { app: 'other' } },
        },
      },
    ]);
    const fe = bySelector(/frontend/);
    assert.deepEqual(members(fe), []);
    assert.deepEqual([fe.status.members, fe.status.slices, fe.status.clusters], [0, 0, []]);
  });

  it('shares one set between policies and removes it with the last user', () => {
    const { c, sets, bySelector } = setup();
    c.apply(allowFrontends('a'), 'east');
    c.apply(allowFrontends('b'), 'east');
    assert.equal(sets().length, 2);
    assert.deepEqual(bySelector(/frontend/).spec.policies, ['shop/a', 'shop/b']);
    c.remove('shop/a');
    assert.deepEqual(bySelector(/frontend/).spec.policies, ['shop/b']);
    c.remove('shop/b');
    assert.deepEqual(sets(), []);
  });

  it('an invalid policy serves no set and leaves the other policies alone', () => {
    const { c, sets } = setup();
    c.apply(allowFrontends('good'), 'east');
    c.apply(
      mnp('bad', { selector: "app == 'db'", ingress: [{ action: 'Allow', source: { selector: 'app ==' } }] }),
      'east',
    );
    assert.equal(sets().length, 2);
    assert.ok(sets().every((s) => (s.spec.policies ?? []).join() === 'shop/good'));
    // A policy that was valid and turns invalid gives its sets up.
    c.apply(mnp('good', { selector: 'has(' }), 'east');
    assert.deepEqual(sets(), []);
  });

  it('keeps a member in its slice: one change rewrites one slice', () => {
    const { mesh, c, bySelector } = setup();
    c.apply(allowFrontends('allow'), 'east');
    const n = SLICE_SIZE * 2 + 10;
    mesh.apply(
      'west',
      'pods',
      Array.from({ length: n }, (_, i) => ({
        upsert: pod(`fe${i}`, `10.2.${i >> 8}.${i & 255}`, { app: 'frontend' }),
      })),
    );
    const fe = bySelector(/frontend/);
    assert.deepEqual([fe.status.members, fe.status.slices], [n, 3]);
    const name = fe.metadata.name;
    const rvs = [0, 1, 2].map((i) => mesh.ipSetSlices.get(sliceName(name, i))!.rv);
    mesh.apply('west', 'pods', [{ delete: { namespace: 'shop', name: 'fe5' } }]);
    const after = [0, 1, 2].map((i) => mesh.ipSetSlices.get(sliceName(name, i))!.rv);
    assert.deepEqual(
      after.map((rv, i) => rv !== rvs[i]),
      [true, false, false],
    );
    mesh.apply('west', 'pods', [{ upsert: pod('new', '10.9.0.1', { app: 'frontend' }) }]);
    assert.ok(
      mesh.ipSetSlices.get(sliceName(name, 0))!.obj.members.includes('10.9.0.1'),
      'fills the hole first',
    );
  });
});

describe('policy sets and host-network pods', () => {
  it("leave a host-network pod's node address out of every set", () => {
    const core = Core.load();
    const mesh = new MeshStore(core);
    const c = new PolicyController({
      core,
      selection: mesh.selection,
      stores: { sets: mesh.ipSets, slices: mesh.ipSetSlices },
      log: quiet,
    });
    const hostPod = pod('agent', '198.18.0.10', { app: 'frontend' });
    hostPod.spec!.hostNetwork = true;
    mesh.apply('west', 'pods', [
      { upsert: hostPod },
      { upsert: pod('fe', '10.2.0.20', { app: 'frontend' }) },
    ]);
    c.apply(allowFrontends('allow'), 'east');
    const fe = [...mesh.ipSets.keysFrom()]
      .map((k) => mesh.ipSets.get(k)!.obj)
      .find((s) => s.spec.selector.includes('frontend'))!;
    assert.equal(fe.status.members, 1);
    assert.deepEqual(mesh.ipSetSlices.get(sliceName(fe.metadata.name, 0))!.obj.members, ['10.2.0.20']);
  });
});
