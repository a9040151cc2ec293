// selection.test.ts: the mesh's selection: identities are in the index before watchers hear of a
// batch, subscribers get match changes and IP-set deltas per batch, and temporary evaluations
// (selector reviews) never reach them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Namespace, V1Pod } from '@kubernetes/client-node';
import { Core } from '../../core/index.js';
import { MeshStore } from './meshstore.js';
import type { SelectionEvent } from './selection.js';

const core = Core.load();
const pod = (name: string, ip: string, labels: Record<string, string>, ns = 'shop'): V1Pod => ({
  metadata: { name, namespace: ns, uid: name, resourceVersion: '1', labels },
  spec: { containers: [] },
  status: { podIP: ip },
});
const namespace = (name: string, labels: Record<string, string>): V1Namespace => ({
  metadata: { name, labels },
});

function subscribed(m: MeshStore): SelectionEvent[] {
  const got: SelectionEvent[] = [];
  m.selection.subscribe((e) => got.push(e));
  return got;
}

describe('mesh selection', () => {
  it('a watcher that reviews on an event already sees the change', () => {
    const m = new MeshStore(core);
    const seen: number[] = [];
    m.selection.addSelector('db', "app == 'db'");
    m.endpoints.subscribe(() => seen.push(m.selection.matching('db').length));
    m.apply('a', 'pods', [{ upsert: pod('db-0', '10.0.0.1', { app: 'db' }) }]);
    assert.deepEqual(seen, [1]);
  });

  it('tells subscribers which endpoints start and stop matching, with IP-set deltas', () => {
    const m = new MeshStore(core);
    const got = subscribed(m);
    m.selection.addSelector('db', "app == 'db' && pcns.tier == 'data'", { ipSet: true });
    m.apply('b', 'namespaces', [{ upsert: namespace('shop', { tier: 'data' }) }]);
    m.apply('b', 'pods', [{ upsert: pod('db-0', '10.1.0.7', { app: 'db' }) }]);
    assert.deepEqual(got.at(-1)?.matches, [{ selector: 'db', endpoint: 'shop/b.db-0', started: true }]);
    assert.deepEqual(got.at(-1)?.ipSets.get('db'), { added: ['10.1.0.7'], removed: [] });
    m.apply('b', 'namespaces', [{ upsert: namespace('shop', { tier: 'web' }) }]);
    assert.deepEqual(got.at(-1)?.matches, [{ selector: 'db', endpoint: 'shop/b.db-0', started: false }]);
    assert.deepEqual(got.at(-1)?.ipSets.get('db'), { added: [], removed: ['10.1.0.7'] });
  });

  it('keeps selector reviews away from subscribers', async () => {
    const m = new MeshStore(core);
    const got = subscribed(m);
    m.apply('a', 'pods', [{ upsert: pod('web-0', '10.0.0.2', { app: 'web' }) }]);
    assert.equal((await m.matching(core.parse('all()'))).length, 1);
    assert.deepEqual(got, [], 'no subscribed selector, so no events at all');
  });

  it('ends the matches of a removed cluster and tells cluster listeners', () => {
    const m = new MeshStore(core);
    const got = subscribed(m);
    const removed: string[] = [];
    m.onCluster((e) => {
      if (e.type === 'removed') removed.push(e.cluster);
    });
    m.selection.addSelector('all', 'all()');
    m.apply('b', 'pods', [{ upsert: pod('x', '10.1.0.1', {}) }, { upsert: pod('y', '10.1.0.2', {}) }]);
    m.removeCluster('b');
    assert.deepEqual(
      got.at(-1)?.matches.map((e) => [e.endpoint, e.started]),
      [
        ['shop/b.x', false],
        ['shop/b.y', false],
      ],
    );
    assert.deepEqual(removed, ['b']);
    assert.equal(m.endpoints.size, 0);
  });

  it('a failing subscriber does not stop the others', () => {
    const m = new MeshStore(core);
    m.selection.subscribe(() => {
      throw new Error('boom');
    });
    const got = subscribed(m);
    m.selection.addSelector('all', 'all()');
    m.apply('a', 'pods', [{ upsert: pod('x', '10.0.0.1', {}) }]);
    assert.equal(got.length, 1);
  });

  it('identity labels win over own labels of the same key, and follow pods in and out', () => {
    const m = new MeshStore(core);
    const sel = (id: string, selector: string): void => m.selection.addSelector(id, selector);
    sel('cluster-a', "federated.mesh/cluster == 'a'");
    sel('claims-evil', "federated.mesh/cluster == 'evil'");
    sel('calico-ns', "projectcalico.org/namespace == 'shop' && projectcalico.org/orchestrator == 'k8s'");
    sel('own', "app == 'web' && federated.mesh/kind == 'workload'");
    sel('sa', "federated.mesh/serviceaccount == 'default'");
    const spoof = { app: 'web', 'federated.mesh/cluster': 'evil', 'projectcalico.org/namespace': 'x' };
    m.apply('a', 'pods', [
      { upsert: pod('web-0', '10.0.0.1', spoof) },
      { upsert: pod('web-1', '10.0.0.2', { app: 'web' }) },
    ]);
    m.apply('b', 'pods', [{ upsert: pod('web-0', '10.1.0.1', { app: 'web' }) }]);
    assert.deepEqual(m.selection.matching('cluster-a'), ['shop/a.web-0', 'shop/a.web-1']);
    assert.deepEqual(m.selection.matching('claims-evil'), []);
    assert.deepEqual(m.selection.matching('calico-ns'), ['shop/a.web-0', 'shop/a.web-1', 'shop/b.web-0']);
    assert.deepEqual(m.selection.matching('own'), ['shop/a.web-0', 'shop/a.web-1', 'shop/b.web-0']);
    // The last pod of a cluster's namespace goes, and with it the identity it shared; a pod that
    // comes back later gets it again.
    m.apply('a', 'pods', [{ delete: { namespace: 'shop', name: 'web-0' } }]);
    m.apply('a', 'pods', [{ delete: { namespace: 'shop', name: 'web-1' } }]);
    assert.deepEqual(m.selection.matching('cluster-a'), []);
    assert.deepEqual(m.selection.matching('sa'), ['shop/b.web-0']);
    m.apply('a', 'pods', [{ upsert: pod('web-2', '10.0.0.3', { app: 'web' }) }]);
    assert.deepEqual(m.selection.matching('cluster-a'), ['shop/a.web-2']);
    assert.deepEqual(m.selection.matching('sa'), ['shop/a.web-2', 'shop/b.web-0']);
  });
});
