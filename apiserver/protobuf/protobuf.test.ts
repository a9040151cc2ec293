// protobuf.test.ts: our protobuf PartialObjectMetadata(List), Status and watch frames round-trip, and
// decode exactly like the JSON form when the bytes come from a real kube-apiserver (golden check).
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { startControlPlane, type ControlPlane } from '../../test/harness/controlplane.js';
import { kubectlOk } from '../../test/harness/kubectl.js';
import type { Cluster } from '../../test/harness/cluster.js';
import { notFound, invalid } from '../status.js';
import {
  decodeProtobuf,
  decodeWatchFrames,
  encodePartialObjectMetadata,
  encodePartialObjectMetadataList,
  encodeStatus,
  encodeWatchEvent,
} from './index.js';

const pom = (metadata: Record<string, unknown>) => ({
  apiVersion: 'meta.k8s.io/v1',
  kind: 'PartialObjectMetadata',
  metadata,
});

describe('protobuf round trip', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['name only', { name: 'east.web-1' }],
    [
      'every field',
      {
        name: 'east.web-1',
        generateName: 'web-',
        namespace: 'payments',
        uid: '4f1c0c7e-1f3e-4b4e-9d0a-0c9a3f1f2b11',
        resourceVersion: '12345',
        generation: 3,
        creationTimestamp: '2025-01-02T03:04:05Z',
        deletionTimestamp: '2025-01-02T03:05:05Z',
        deletionGracePeriodSeconds: 0,
        labels: { app: 'web', 'federated.mesh/cluster': 'east' },
        annotations: { note: 'ünïcode ✓' },
        ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'web-1', uid: 'u1', controller: true }],
        finalizers: ['federated.mesh/cleanup'],
      },
    ],
  ];
  for (const [name, metadata] of cases) {
    it(`PartialObjectMetadata: ${name}`, () => {
      assert.deepEqual(decodeProtobuf(encodePartialObjectMetadata(pom(metadata))), pom(metadata));
    });
  }

  it('PartialObjectMetadataList keeps list metadata and item order (v1beta1 too)', () => {
    const list = {
      apiVersion: 'meta.k8s.io/v1beta1',
      kind: 'PartialObjectMetadataList',
      metadata: { resourceVersion: '77', continue: 'abc', remainingItemCount: 5 },
      items: cases.map(([, m]) => ({
        apiVersion: 'meta.k8s.io/v1beta1',
        kind: 'PartialObjectMetadata',
        metadata: m,
      })),
    };
    assert.deepEqual(decodeProtobuf(encodePartialObjectMetadataList(list)), list);
  });

  it('Status errors, with causes', () => {
    for (const s of [
      notFound({ group: 'federated.mesh', resource: 'federatedendpoints' }, 'web').toStatus(),
      invalid({ group: 'federated.mesh', resource: 'selectorreviews', kind: 'SelectorReview' }, 'r', [
        { reason: 'FieldValueInvalid', message: 'unexpected token', field: 'spec.selector' },
      ]).toStatus(),
    ]) {
      assert.deepEqual(decodeProtobuf(encodeStatus(s)), s);
    }
  });

  it('watch frames split on length prefixes, also across chunk boundaries', () => {
    const a = encodePartialObjectMetadata(pom({ name: 'a', resourceVersion: '1' }));
    const b = encodePartialObjectMetadata(pom({ name: 'b', resourceVersion: '2' }));
    const stream = Buffer.concat([encodeWatchEvent('ADDED', a), encodeWatchEvent('DELETED', b)]);
    const first = decodeWatchFrames(stream.subarray(0, stream.length - 3));
    assert.deepEqual(
      first.events.map((e) => [e.type, e.object.metadata]),
      [['ADDED', { name: 'a', resourceVersion: '1' }]],
    );
    assert.equal(first.rest.length, stream.length - 3 - encodeWatchEvent('ADDED', a).length);
    const all = decodeWatchFrames(stream);
    assert.deepEqual(
      all.events.map((e) => e.type),
      ['ADDED', 'DELETED'],
    );
    assert.equal(all.rest.length, 0);
  });

  it('rejects bytes without the k8s prefix', () => {
    assert.throws(() => decodeProtobuf(Buffer.from('{"kind":"Status"}')), /k8s\\0 prefix/);
  });
});

const PROTO_LIST = 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const JSON_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const PROTO_ONE = 'application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
const JSON_ONE = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';

interface Got {
  status: number;
  type: string;
  body: Buffer;
}

/** fetch GETs a path from the cluster as the admin with an Accept header; for watches, stops after ms. */
function fetch(c: Cluster, path: string, accept: string, watchMs = 0): Promise<Got> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const opts = {
      ca: c.pki.servingCA.certPem,
      cert: c.pki.admin.certPem,
      key: c.pki.admin.keyPem,
      headers: { accept },
    };
    const req = request(`${c.url}${path}`, opts, (res) => {
      const done = () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers['content-type']),
          body: Buffer.concat(chunks),
        });
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', done);
      if (watchMs > 0) setTimeout(() => (done(), req.destroy()), watchMs);
    });
    req.on('error', (e) => (watchMs > 0 && chunks.length > 0 ? undefined : reject(e)));
    req.end();
  });
}

/** asJSON parses a JSON body the way our decoder shapes objects (no managedFields). */
function asJSON(body: Buffer): Record<string, unknown> {
  return JSON.parse(body.toString(), (k, v: unknown) => (k === 'managedFields' ? undefined : v)) as Record<
    string,
    unknown
  >;
}

describe('protobuf against a real kube-apiserver', () => {
  let cp: ControlPlane;
  let c: Cluster;
  before(async () => {
    cp = await startControlPlane({ clusters: ['pb'] });
    c = cp.cluster('pb');
    const ns = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'payments', labels: { team: 'pay' }, annotations: { owner: 'ünïcode ✓' } },
    };
    await kubectlOk(c.kubeconfig, ['create', '-f', '-'], { input: JSON.stringify(ns) });
  });
  after(async () => {
    await cp?.stop();
  });

  it('a PartialObjectMetadataList of namespaces decodes to its JSON form, and ours re-encodes it alike', async () => {
    const pb = await fetch(c, '/api/v1/namespaces?limit=2', PROTO_LIST);
    const js = await fetch(c, '/api/v1/namespaces?limit=2', JSON_LIST);
    assert.equal(pb.status, 200);
    assert.match(pb.type, /^application\/vnd\.kubernetes\.protobuf/);
    const want = asJSON(js.body);
    const got = decodeProtobuf(pb.body);
    // The two requests are two list calls: only the continue token may differ.
    (want.metadata as Record<string, unknown>).continue = (got.metadata as Record<string, unknown>).continue;
    assert.deepEqual(got, want);
    assert.deepEqual(decodeProtobuf(encodePartialObjectMetadataList(want)), want);
  });

  it('a single PartialObjectMetadata with labels and annotations decodes to its JSON form', async () => {
    const pb = await fetch(c, '/api/v1/namespaces/payments', PROTO_ONE);
    const want = asJSON((await fetch(c, '/api/v1/namespaces/payments', JSON_ONE)).body);
    assert.deepEqual(decodeProtobuf(pb.body), want);
    assert.deepEqual(decodeProtobuf(encodePartialObjectMetadata(want)), want);
  });

  it('a protobuf error is a Status that decodes to the JSON Status', async () => {
    // Upstream answers errors of as=PartialObjectMetadata requests in JSON; plain protobuf gets protobuf.
    const pb = await fetch(c, '/api/v1/namespaces/nope', 'application/vnd.kubernetes.protobuf');
    const js = await fetch(c, '/api/v1/namespaces/nope', 'application/json');
    assert.equal(pb.status, 404);
    const want = asJSON(js.body);
    assert.deepEqual(decodeProtobuf(pb.body), want);
    assert.deepEqual(decodeProtobuf(encodeStatus(want as never)), want);
  });

  it('a protobuf watch stream holds length-prefixed WatchEvents like ours', async () => {
    const path = '/api/v1/namespaces?watch=true&resourceVersion=0&fieldSelector=metadata.name%3Dpayments';
    const got = await fetch(c, path, PROTO_ONE, 1500);
    assert.match(got.type, /^application\/vnd\.kubernetes\.protobuf;stream=watch/);
    const { events } = decodeWatchFrames(got.body);
    assert.equal(events[0]?.type, 'ADDED');
    assert.equal((events[0].object.metadata as { name: string }).name, 'payments');
    const ours = encodeWatchEvent('ADDED', encodePartialObjectMetadata(events[0].object));
    assert.deepEqual(decodeWatchFrames(ours).events, [events[0]]);
  });
});
