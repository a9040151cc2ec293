// store.test.ts: the served-object store: events only for real changes, a hook that runs before
// subscribers hear of a batch, and replay from a bounded history with 'expired' beyond it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KObject } from '../types.js';
import { Revision } from './revision.js';
import { DecodedCache, Entry } from './entry.js';
import { Store } from './store.js';
import { SortedKeys, compareKeys } from './sorted-keys.js';

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

  it('always replays at least the last historySize events, and exactly what followed', () => {
    const s = new Store<Thing>(new Revision(), 8);
    const rvs: number[] = [];
    for (let v = 1; v <= 40; v++) {
      rvs.push(s.apply([{ upsert: thing('x', v) }])[0]!.entry.rv);
      for (let k = 0; k < rvs.length; k++) {
        const since = s.since(rvs[k]!);
        if (since === 'expired') {
          assert.ok(k < rvs.length - 8, `event ${k + 1} of ${v} expired within the last 8`);
          continue;
        }
        assert.deepEqual(
          since.map((e) => e.entry.obj.spec.v),
          Array.from({ length: v - k - 1 }, (_, i) => k + 2 + i),
        );
      }
    }
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

  it('keeps keys in order through random inserts and deletes, across chunk splits', () => {
    let seed = 7;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const namespaces = ['a', 'a-b', 'b', 'ab', 'kube-system'];
    const keys = new SortedKeys();
    const model = new Set<string>();
    for (let step = 0; step < 20_000; step++) {
      const key = `${namespaces[rand(namespaces.length)]}/pod-${rand(3000)}`;
      if (rand(3) === 0) {
        keys.delete(key);
        model.delete(key);
      } else {
        keys.add(key);
        model.add(key);
      }
    }
    const want = [...model].sort(compareKeys);
    assert.equal(keys.size, want.length);
    assert.deepEqual([...keys.from()], want);
    // Namespace first: every key of "a" before any of "a-b", though '-' sorts below '/'.
    assert.ok(want.findLastIndex((k) => k.startsWith('a/')) < want.findIndex((k) => k.startsWith('a-b/')));
    for (const ns of namespaces) {
      const inNs = want.filter((k) => k.startsWith(`${ns}/`));
      assert.deepEqual([...keys.from(undefined, `${ns}/`)], inNs, `namespace ${ns}`);
      const mid = inNs[inNs.length >> 1]!;
      assert.deepEqual([...keys.from(mid, `${ns}/`)], inNs.slice(inNs.indexOf(mid) + 1), `after ${mid}`);
      // countFrom counts what from yields, without walking the keys.
      assert.equal(keys.countFrom(undefined, `${ns}/`), inNs.length, `count in ${ns}`);
      assert.equal(keys.countFrom(mid, `${ns}/`), inNs.length - inNs.indexOf(mid) - 1, `count after ${mid}`);
      assert.equal(
        keys.countFrom(`${ns}/pod-99999`, `${ns}/`),
        [...keys.from(`${ns}/pod-99999`, `${ns}/`)].length,
      );
    }
    const after = want[want.length >> 1]!;
    assert.deepEqual([...keys.from(after)], want.slice(want.indexOf(after) + 1));
    assert.equal(keys.countFrom(after), want.length - want.indexOf(after) - 1);
    assert.equal(keys.countFrom(), want.length);
    assert.equal(keys.countFrom(undefined, 'zz/'), 0);
  });

  it('keeps each version as text; decoded objects and forms live in a cache bounded by bytes', () => {
    const cache = new DecodedCache(10_000);
    const entries = Array.from(
      { length: 200 },
      (_, i) => new Entry<Thing>(`ns/t${i}`, i, JSON.stringify(thing(`t${i}`, i))),
    );
    for (const e of entries) {
      assert.equal(cache.get(e, 'obj', () => JSON.parse(e.text) as Thing).spec.v, e.rv);
      cache.get(e, 'name', () => `form of ${e.key}`);
      assert.ok(cache.bytes <= 10_000, `cache holds ${cache.bytes} bytes`);
    }
    // The least recently used went first; a recent one is still the same object.
    let made = 0;
    const last = entries[199]!;
    const again = cache.get(last, 'obj', () => (made++, JSON.parse(last.text) as Thing));
    assert.equal(made, 0);
    cache.get(entries[0]!, 'obj', () => (made++, JSON.parse(entries[0]!.text) as Thing));
    assert.equal(made, 1, 'the oldest entry was evicted and decoded again');
    assert.equal(again.metadata.name, 't199');
    // The shared cache serves entry.obj the same way: decoded again after eviction, equal content.
    const s = new Store<Thing>(new Revision());
    const [ev] = s.apply([{ upsert: thing('x', 42) }]);
    assert.equal(ev!.entry.obj.spec.v, 42);
    assert.equal((JSON.parse(ev!.entry.text) as Thing).metadata.resourceVersion, String(ev!.entry.rv));
  });
});
