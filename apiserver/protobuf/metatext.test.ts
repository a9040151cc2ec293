// metatext.test.ts: protobuf metadata list items written straight from JSON texts are the bytes
// the object encoder writes for the same objects, for every field ObjectMeta carries (escapes,
// non-ASCII, nulls, empty values, long values, negative numbers, fields it leaves out).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeItemsOf, encodeItemsPart } from './encode.js';
import { endpointCodec } from '../mesh/endpointcodec.js';
import { itemsPart } from '../rest/render.js';
import { joinBytes } from '../store/entry.js';
import { Revision } from '../store/revision.js';
import { Store } from '../store/store.js';
import type { KObject } from '../types.js';
import { encodeItemsFromTexts } from './metatext.js';

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');

const objects: Record<string, unknown>[] = [
  {
    apiVersion: 'federated.mesh/v1alpha1',
    kind: 'FederatedEndpoint',
    metadata: {
      name: 'b.pod-1',
      namespace: 'ns-1',
      uid: 'u-1',
      resourceVersion: '42',
      creationTimestamp: '2026-12-03T09:00:00Z',
      labels: { app: 'web', 'federated.mesh/cluster': 'b', empty: '' },
    },
    spec: { cluster: 'b', ips: ['10.0.0.1'], ports: [{ name: 'http', port: 80 }] },
    status: { ready: true },
  },
  {
    metadata: {
      annotations: { note: 'say "hi" \\ \n\t\u0001 ünïcødé 😀', long: 'x'.repeat(300) },
      name: 'a'.repeat(200),
      generateName: 'gen-',
      selfLink: '',
      generation: 7,
      deletionTimestamp: '2026-12-03T09:00:00.123456Z',
      deletionGracePeriodSeconds: 0,
      finalizers: ['f/one', '', 'f/two'],
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: 'rs',
          uid: 'u',
          controller: true,
          blockOwnerDeletion: false,
        },
        { kind: 'X', name: 'y' },
      ],
      managedFields: [{ manager: 'm', fieldsV1: { 'f:metadata': { 'f:labels': {} } } }],
    },
    spec: { nested: [[{ a: '}]' }], 1.5e3, null, true] },
  },
  {
    metadata: {
      name: 'n',
      generation: 0,
      labels: null,
      annotations: {},
      creationTimestamp: null,
      ownerReferences: null,
    },
  },
  { metadata: { name: 'old', creationTimestamp: '1960-01-01T00:00:00Z', deletionGracePeriodSeconds: -5 } },
  { metadata: { creationTimestamp: '2024-02-30T23:59:59Z', deletionTimestamp: '2026-12-03T10:00:00+01:00' } },
  { kind: 'NoMetadata' },
  {
    metadata: {
      name: 'big',
      labels: Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`k${i}`, `v${i}`])),
    },
  },
];

test('items from JSON texts are the bytes the object encoder writes', () => {
  for (const o of objects) {
    const want = Buffer.from(encodeItemsPart([{ metadata: o.metadata }]));
    assert.deepEqual(
      Buffer.from(encodeItemsFromTexts(utf8(JSON.stringify(o)))),
      want,
      JSON.stringify(o).slice(0, 80),
    );
  }
  const texts = objects.map((o) => utf8(JSON.stringify(o)));
  const joined = Buffer.concat(texts.flatMap((t, i) => (i > 0 ? [utf8(','), t] : [t])));
  const want = Buffer.from(encodeItemsPart(objects.map((o) => ({ metadata: o.metadata }))));
  assert.deepEqual(Buffer.from(encodeItemsFromTexts(joined)), want, 'reading every object whole');
  const starts = texts.map((_, i) => texts.slice(0, i).reduce((n, t) => n + t.length + 1, 0));
  assert.deepEqual(
    Buffer.from(encodeItemsFromTexts(joined, starts)),
    want,
    'leaving each after its metadata',
  );
});

test('text that is not compact JSON objects is refused, and the list is encoded from objects instead', () => {
  for (const bad of [
    '{"metadata":{"name":"x"}',
    '{ "metadata": {} }',
    '[1]',
    '{"metadata":{"name":"x"}}{}',
    '{"a":tru',
  ]) {
    assert.throws(() => encodeItemsFromTexts(utf8(bad)), /not compact JSON/, bad);
  }
  const o = { metadata: { name: 'x' } };
  const got = encodeItemsOf(
    (starts) => (starts.push(0), utf8('{ "metadata": {} }')),
    () => [o],
  );
  assert.deepEqual(Buffer.from(got), Buffer.from(encodeItemsPart([o])));
});

test('a store that compacts its objects lists the same metadata, read only as far as it goes', () => {
  const store = new Store<KObject>(new Revision(1), 100, endpointCodec);
  const objs = Array.from({ length: 5 }, (_, i) =>
    podToEndpointLike(i, i % 2 ? { 'x/y': 'v"\u00e9', 'federated.mesh/cluster': 'b' } : {}),
  );
  store.apply(objs.map((upsert) => ({ upsert })));
  const entries = [...store.keysFrom()].map((k) => store.get(k)!);
  const want = Buffer.from(encodeItemsPart(entries.map((e) => ({ metadata: e.obj.metadata }))));
  assert.deepEqual(Buffer.from(itemsPart(entries)), want);
  const starts: number[] = [];
  const cut = joinBytes(entries, { starts, metadataOnly: true });
  assert.ok(cut.length < joinBytes(entries).length * 0.7, 'what follows metadata is left out');
  assert.equal(starts.length, entries.length);
});

// podToEndpointLike is a FederatedEndpoint as the mesh store keeps them (fields in its order).
function podToEndpointLike(i: number, labels: Record<string, string>): KObject {
  return {
    apiVersion: 'federated.mesh/v1alpha1',
    kind: 'FederatedEndpoint',
    metadata: {
      name: `b.pod-${i}`,
      namespace: 'ns',
      uid: `u-${i}`,
      creationTimestamp: '2026-12-03T09:00:00Z',
      labels,
      resourceVersion: String(100 + i),
    },
    spec: { cluster: 'b', pod: `pod-${i}`, node: 'n', serviceAccount: 'sa', ips: [`10.0.0.${i}`] },
    status: { phase: 'Running', ready: true },
  } as KObject;
}
