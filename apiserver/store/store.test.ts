// store.test.ts: the served-object store: events only for real changes, a hook that runs before
// subscribers hear of a batch, and replay from a bounded history with 'expired' beyond it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KObject } from '../types.js';
import { Revision } from './revision.js';
import { Store } from './store.js';

type Thing = KObject & { spec: { v: number } };
const thing = (name: string, v: number, namespace = 'ns'): Thing => ({
  apiVersion: 'test/v1',
  kind: 'Thing',
  metadata: { name, namespace },
  spec: { v },
});

describe('store', () => {
  it('numbers every change from the shared sequence and drops unchanged upserts', () => {
    const rev = new Revision();
    const a = new Store<Thing>(rev);
    const b = new Store<Thing>(rev);
    const [e1] = a.apply([{ upsert: thing('x', 1) }]);
    const [e2] = b.apply([{ upsert: thing('x', 1) }]);
    assert.equal(e2!.entry.rv, e1!.entry.rv + 1);
    assert.deepEqual(a.apply([{ upsert: thing('x', 1) }]), [], 'no event for an unchanged object');
    assert.equal(a.apply([{ upsert: thing('x', 2) }])[0]!.type, 'MODIFIED');
    assert.equal(a.apply([{ delete: 'ns/x' }])[0]!.type, 'DELETED');
    assert.deepEqual(a.apply([{ delete: 'ns/x' }]), [], 'deleting a missing key is no event');
  });

  it('runs beforePublish after recording and before any subscriber', () => {
    const s = new Store<Thing>(new Revision());
    const order: string[] = [];
    s.subscribe((evs) => order.push(`subscriber:${evs.length}:${s.size}`));
    s.apply([{ upsert: thing('x', 1) }, { upsert: thing('y', 1) }], (evs) =>
      order.push(`hook:${evs.length}:${s.size}`),
    );
    assert.deepEqual(order, ['hook:2:2', 'subscriber:2:2']);
  });

  it('replays the events after a version, and says expired beyond the history', () => {
    const s = new Store<Thing>(new Revision(), 3);
    const rvs = [1, 2, 3, 4, 5].map((v) => s.apply([{ upsert: thing('x', v) }])[0]!.entry.rv);
    const since = s.since(rvs[2]!);
    assert.ok(since !== 'expired');
    assert.deepEqual(
      since.map((e) => e.entry.obj.spec.v),
      [4, 5],
    );
    assert.equal(s.since(rvs[0]!), 'expired');
  });

  it('lists keys in namespace/name order from a position', () => {
    const s = new Store<Thing>(new Revision());
    s.apply([
      { upsert: thing('b', 1, 'n2') },
      { upsert: thing('a', 1, 'n2') },
      { upsert: thing('z', 1, 'n1') },
    ]);
    assert.deepEqual([...s.keysFrom()], ['n1/z', 'n2/a', 'n2/b']);
    assert.deepEqual([...s.keysFrom('n1/z')], ['n2/a', 'n2/b']);
  });
});
