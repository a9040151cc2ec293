// list.test.ts: paged lists are snapshots: every continue page shows the objects as they were at
// the first page's resourceVersion, whatever changed in between, or 410 Expired once the history
// no longer reaches back that far; so is a long list read in steps, and remainingItemCount counts
// at that version.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../status.js';
import { Revision } from '../store/revision.js';
import { Store, type Change } from '../store/store.js';
import type { KObject } from '../types.js';
import type { Filter } from './filter.js';
import { CONTINUE_EXPIRED, list, ListScan, SCAN_STEP } from './list.js';

const all: Filter = { trivial: true, matches: () => true, admits: () => true, dispose: () => undefined };
const keep = (o: KObject): boolean => o.metadata.labels?.keep === 'yes';
const labelled: Filter = {
  trivial: false,
  matches: keep,
  admits: (e) => keep(e.obj),
  dispose: () => undefined,
};

function obj(ns: string, name: string, v = '1'): KObject {
  return { apiVersion: 'v1', kind: 'X', metadata: { namespace: ns, name, labels: { keep: 'yes', v } } };
}

function newStore(history = 100): { store: Store; rev: Revision } {
  const rev = new Revision(1000);
  const store = new Store(rev, history);
  store.apply(['a', 'b', 'c', 'd', 'e'].map((n) => ({ upsert: obj('ns', n) })));
  return { store, rev };
}

// pageAll lists with limit 2, applying `between` after the first page, and returns names and versions.
async function pageAll(store: Store, rev: Revision, between: Change[], filter = all) {
  const q = (c?: string): URLSearchParams =>
    new URLSearchParams(c ? { limit: '2', continue: c } : { limit: '2' });
  const first = await list(store, rev.current(), q(), filter);
  store.apply(between);
  const names = first.entries.map((e) => `${e.key}@${e.obj.metadata.labels!.v}`);
  let meta = first.meta;
  while (meta.continue) {
    const page = await list(store, rev.current(), q(meta.continue), filter);
    assert.equal(
      page.meta.resourceVersion,
      first.meta.resourceVersion,
      'every page carries the first version',
    );
    names.push(...page.entries.map((e) => `${e.key}@${e.obj.metadata.labels!.v}`));
    meta = page.meta;
  }
  return names;
}

const before = ['ns/a@1', 'ns/b@1', 'ns/c@1', 'ns/d@1', 'ns/e@1'];

// [name, changes between the first and second page]
const cases: [string, Change[]][] = [
  ['nothing changes', []],
  ['a later object is deleted', [{ delete: 'ns/d' }]],
  [
    'objects are created before and after the position',
    [{ upsert: obj('ns', 'aa') }, { upsert: obj('ns', 'f') }],
  ],
  ['a later object is modified', [{ upsert: obj('ns', 'e', '2') }]],
  ['deleted and created again', [{ delete: 'ns/c' }, { upsert: obj('ns', 'c', '3') }]],
  ['created then deleted', [{ upsert: obj('ns', 'cc') }, { delete: 'ns/cc' }]],
  ['everything is deleted', ['a', 'b', 'c', 'd', 'e'].map((n) => ({ delete: `ns/${n}` }))],
  ['another namespace appears', [{ upsert: obj('mm', 'x') }, { upsert: obj('zz', 'x') }]],
];

for (const [name, between] of cases) {
  test(`paging is a snapshot: ${name}`, async () => {
    const { store, rev } = newStore();
    assert.deepEqual(await pageAll(store, rev, between), before);
  });
  test(`paging with a label filter is a snapshot: ${name}`, async () => {
    const { store, rev } = newStore();
    assert.deepEqual(await pageAll(store, rev, between, labelled), before);
  });
}

test('a continue token older than the history answers 410 Expired with upstream message', async () => {
  const { store, rev } = newStore(3);
  const first = await list(store, rev.current(), new URLSearchParams({ limit: '2' }), all);
  store.apply(['p', 'q', 'r', 's'].map((n) => ({ upsert: obj('ns', n) })));
  const q = new URLSearchParams({ limit: '2', continue: first.meta.continue! });
  await assert.rejects(
    () => list(store, rev.current(), q, all),
    (e: unknown) =>
      e instanceof StatusError && e.code === 410 && e.reason === 'Expired' && e.message === CONTINUE_EXPIRED,
  );
});

test('resourceVersionMatch=Exact serves an older version from the history', async () => {
  const { store, rev } = newStore();
  const at = rev.current();
  store.apply([{ delete: 'ns/a' }, { upsert: obj('ns', 'b', '2') }]);
  const q = new URLSearchParams({ resourceVersion: String(at), resourceVersionMatch: 'Exact' });
  const page = await list(store, rev.current(), q, all);
  assert.equal(page.meta.resourceVersion, String(at));
  assert.deepEqual(
    page.entries.map((e) => `${e.key}@${e.obj.metadata.labels!.v}`),
    before,
  );
});

// A list longer than one scan step, with the store changing between steps (as it may while a
// long list is written to a slow client): the result is the state at the list's version.
test('a list read in steps is a snapshot of its version, whatever changes between steps', () => {
  const rev = new Revision(1);
  const store = new Store(rev, 100_000);
  const n = SCAN_STEP * 3 + 17;
  const name = (i: number): string => `o${String(i).padStart(6, '0')}`;
  store.apply(Array.from({ length: n }, (_, i) => ({ upsert: obj('ns', name(i)) })));
  const want = Array.from({ length: n }, (_, i) => `ns/${name(i)}@1`);
  const scan = new ListScan(store, rev.current(), all);
  const got: string[] = [];
  for (let round = 0; !scan.done; round++) {
    got.push(...scan.step().map((e) => `${e.key}@${e.obj.metadata.labels!.v}`));
    // Ahead of the scan: delete, modify, insert; behind it: modify; and another namespace.
    const ahead = (SCAN_STEP * (round + 1) + 5) % n;
    store.apply([
      { delete: `ns/${name(ahead)}` },
      { upsert: obj('ns', name((ahead + 1) % n), String(round + 2)) },
      { upsert: obj('ns', `${name(ahead)}x`) },
      { upsert: obj('ns', name(round), '9') },
      { upsert: obj('zz', `new${round}`) },
    ]);
  }
  assert.equal(got.length, n);
  assert.deepEqual(got, want);
});

test('remainingItemCount counts the items after a page at the list version, changes since included', async () => {
  const { store, rev } = newStore();
  const at = rev.current();
  store.apply([
    { delete: 'ns/e' },
    { delete: 'ns/d' },
    { upsert: obj('ns', 'f') },
    { upsert: obj('ns', 'c', '2') },
  ]);
  const q = new URLSearchParams({ limit: '2', resourceVersion: String(at), resourceVersionMatch: 'Exact' });
  const page = await list(store, rev.current(), q, all);
  assert.deepEqual(
    page.entries.map((e) => e.key),
    ['ns/a', 'ns/b'],
  );
  assert.equal(page.meta.remainingItemCount, 3, 'c, d and e were left at that version');
  const now = await list(store, rev.current(), new URLSearchParams({ limit: '2' }), all);
  assert.equal(now.meta.remainingItemCount, 2, 'c and f are left now');
  const inOther = await list(store, rev.current(), new URLSearchParams({ limit: '1' }), {
    ...all,
    namespace: 'mm',
  });
  assert.equal(inOther.meta.remainingItemCount, undefined, 'nothing more in an empty namespace');
});
