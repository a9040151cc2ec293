// meshstore.test.ts: the mesh store's ownership rules: one resourceVersion sequence across
// clusters, no event for an unchanged relist, overlapping pod IPs reported per cluster.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { Core } from '../../core/index.js';
import { MeshStore } from './meshstore.js';

const pod = (name: string, ip: string, rv = '1', hostNetwork = false): V1Pod => ({
  metadata: { name, namespace: 'shop', uid: name, resourceVersion: rv, labels: { app: name } },
  spec: { containers: [], hostNetwork },
  status: { podIP: ip },
});

describe('mesh store', () => {
  it('numbers changes of all clusters from one sequence', () => {
    const m = new MeshStore(Core.load());
    m.apply('a', 'pods', [{ upsert: pod('x', '10.0.0.1') }]);
    m.apply('b', 'pods', [{ upsert: pod('x', '10.1.0.1') }]);
    const a = Number(m.endpoints.get('shop/a.x')!.obj.metadata.resourceVersion);
    const b = Number(m.endpoints.get('shop/b.x')!.obj.metadata.resourceVersion);
    assert.equal(b, a + 1);
  });

  it('emits nothing for an unchanged relist, and stamps a new version when it is seen', () => {
    let minute = 0;
    const m = new MeshStore(Core.load(), { now: () => new Date(Date.UTC(2026, 0, 1, 0, minute++)) });
    const observed = (): string | undefined => m.endpoints.get('shop/a.x')!.obj.status.observedTime;
    m.apply('a', 'pods', [{ upsert: pod('x', '10.0.0.1', '7') }]);
    const rv = m.revision.current();
    const first = observed();
    m.apply('a', 'pods', [{ upsert: pod('x', '10.0.0.1', '7') }]);
    assert.equal(m.revision.current(), rv);
    assert.equal(observed(), first, 'the relisted version keeps the time it was first seen');
    m.apply('a', 'pods', [{ upsert: pod('x', '10.0.0.1', '8') }]);
    assert.equal(m.revision.current(), rv + 1);
    assert.ok(observed()! > first!, `version 8 seen at ${observed()}, after ${first}`);
  });

  it('reports a pod IP claimed in two clusters, and forgets it when one goes', () => {
    const m = new MeshStore(Core.load());
    m.apply('a', 'pods', [{ upsert: pod('x', '10.0.0.1') }, { upsert: pod('h', '203.0.113.1', '1', true) }]);
    m.apply('b', 'pods', [{ upsert: pod('y', '10.0.0.1') }, { upsert: pod('h', '203.0.113.1', '1', true) }]);
    const c = m.ipConflicts('a');
    assert.equal(c.length, 1, 'host-network pods share node IPs legitimately');
    assert.equal(c[0]!.ip, '10.0.0.1');
    assert.deepEqual(c[0]!.endpoints.map((e) => e.cluster).sort(), ['a', 'b']);
    assert.equal(m.endpoints.size, 4, 'both endpoints are kept, never merged');
    m.apply('b', 'pods', [{ delete: { namespace: 'shop', name: 'y' } }]);
    assert.deepEqual(m.ipConflicts(), []);
    m.apply('b', 'pods', [{ upsert: pod('y', '10.0.0.1') }]);
    m.apply('c', 'pods', [{ upsert: pod('z', '10.0.0.1') }]);
    assert.deepEqual(
      m
        .ipConflicts('c')[0]!
        .endpoints.map((e) => e.cluster)
        .sort(),
      ['a', 'b', 'c'],
    );
    m.apply('a', 'pods', [{ upsert: pod('x', '10.0.0.2') }]);
    assert.deepEqual(m.ipConflicts('a'), [], 'a moved away');
    assert.equal(m.ipConflicts().length, 1, 'b and c still share it');
    m.apply('c', 'pods', [{ delete: { namespace: 'shop', name: 'z' } }]);
    assert.deepEqual(m.ipConflicts(), []);
  });

  it('marks a cluster stale and current again, with an event per object', () => {
    const m = new MeshStore(Core.load());
    m.apply('a', 'pods', [{ upsert: pod('x', '10.0.0.1') }]);
    m.apply('b', 'pods', [{ upsert: pod('y', '10.0.1.1') }]);
    m.setStale('a', true);
    assert.equal(m.endpoints.get('shop/a.x')!.obj.status.stale, true);
    assert.equal(m.endpoints.get('shop/b.y')!.obj.status.stale, false);
    const rv = m.revision.current();
    m.setStale('a', false);
    assert.equal(m.revision.current(), rv + 1);
    assert.deepEqual(m.counts('a'), { workloads: 1, hosts: 0 });
  });

  it('tells nothing and restamps nothing when a cluster is already as stale or current as asked', () => {
    const m = new MeshStore(Core.load());
    m.apply('a', 'pods', [{ upsert: pod('x', '10.0.0.1') }, { upsert: pod('y', '10.0.0.2') }]);
    const told: string[] = [];
    m.onCluster((e) => told.push(e.type));
    const rv = m.revision.current();
    m.setStale('a', false); // connected after every synced batch
    m.setStale('a', false);
    assert.equal(m.revision.current(), rv);
    m.setStale('a', true);
    m.setStale('a', true);
    assert.equal(m.revision.current(), rv + 2, 'one event per object, once');
    m.setStale('a', false);
    assert.deepEqual(told, ['stale', 'current']);
  });
});
