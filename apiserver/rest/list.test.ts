// list.test.ts: paged lists are snapshots: every continue page shows the objects as they were at
// the first page's resourceVersion, whatever changed in between, or 410 Expired once the history
// no longer reaches back that far.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../status.js';
import { Revision } from '../store/revision.js';
import { Store, type Change } from '../store/store.js';
import type { KObject } from '../types.js';
import type { Filter } from './filter.js';
import { CONTINUE_EXPIRED, list } from './list.js';

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
function pageAll(store: Store, rev: Revision, between: Change[], filter = all) {
  const q = (c?: string): URLSearchParams =>
    new URLSearchParams(c ? { limit: '2', continue: c } : { limit: '2' });
  const first = list(store, rev.current(), q(), filter);
  store.apply(between);
  const names = first.entries.map((e) => `${e.key}@${e.obj.metadata.labels!.v}`);
  let meta = first.meta;
  while (meta.continue) {
    const page = list(store, rev.current(), q(meta.continue), filter);
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
  test(`paging is a snapshot: ${name}`, () => {
    const { store, rev } = newStore();
    assert.deepEqual(pageAll(store, rev, between), before);
  });
  test(`paging with a label filter is a snapshot: ${name}`, () => {
    const { store, rev } = newStore();
    assert.deepEqual(pageAll(store, rev, between, labelled), before);
  });
}

test('a continue token older than the history answers 410 Expired with upstream message', () => {
  const { store, rev } = newStore(3);
  const first = list(store, rev.current(), new URLSearchParams({ limit: '2' }), all);
  store.apply(['p', 'q', 'r', 's'].map((n) => ({ upsert: obj('ns', n) })));
  const q = new URLSearchParams({ limit: '2', continue: first.meta.continue! });
  assert.throws(
    () => list(store, rev.current(), q, all),
    (e: unknown) =>
      e instanceof StatusError && e.code === 410 && e.reason === 'Expired' && e.message === CONTINUE_EXPIRED,
  );
});

test('resourceVersionMatch=Exact serves an older version from the history', () => {
  const { store, rev } = newStore();
  const at = rev.current();
  store.apply([{ delete: 'ns/a' }, { upsert: obj('ns', 'b', '2') }]);
  const q = new URLSearchParams({ resourceVersion: String(at), resourceVersionMatch: 'Exact' });
  const page = list(store, rev.current(), q, all);
  assert.equal(page.meta.resourceVersion, String(at));
  assert.deepEqual(
    page.entries.map((e) => `${e.key}@${e.obj.metadata.labels!.v}`),
    before,
  );
});
