// router.test.ts: /openapi/v3 and /openapi/v2 answer as kube-openapi does (discovery, hash redirects,
// ETags, caching, Accept negotiation), and the documents hold what kubectl explain looks up.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { openapiRouter } from './router.js';
import type { ResourceOpenAPIInfo } from './paths.js';

const RESOURCES: ResourceOpenAPIInfo[] = [
  {
    plural: 'federatedendpoints',
    singular: 'federatedendpoint',
    kind: 'FederatedEndpoint',
    listKind: 'FederatedEndpointList',
    namespaced: true,
    verbs: ['get', 'list', 'watch'],
  },
  {
    plural: 'federatedhostendpoints',
    singular: 'federatedhostendpoint',
    kind: 'FederatedHostEndpoint',
    listKind: 'FederatedHostEndpointList',
    namespaced: false,
    verbs: ['get', 'list', 'watch'],
  },
  {
    plural: 'selectorreviews',
    singular: 'selectorreview',
    kind: 'SelectorReview',
    listKind: 'SelectorReviewList',
    namespaced: false,
    verbs: ['create'],
  },
];
const GV = '/openapi/v3/apis/federated.mesh/v1alpha1';
const FIXED = new Date('2030-01-01T00:00:00Z');

interface Res {
  status: number;
  headers: Headers;
  text: string;
}

type Doc = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

describe('openapi router', () => {
  let server: Server;
  let base: string;
  const get = async (path: string, headers: Record<string, string> = {}): Promise<Res> => {
    const r = await fetch(base + path, { headers, redirect: 'manual' });
    return { status: r.status, headers: r.headers, text: await r.text() };
  };
  before(async () => {
    const app = express();
    app.use(openapiRouter({ resources: RESOURCES, now: () => new Date(FIXED) }));
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('GET /openapi/v3 advertises our group-version with the hash of its document', async () => {
    const root = JSON.parse((await get('/openapi/v3')).text) as {
      paths: Record<string, { serverRelativeURL: string }>;
    };
    assert.deepEqual(Object.keys(root.paths), ['apis/federated.mesh/v1alpha1']);
    const url = root.paths['apis/federated.mesh/v1alpha1']!.serverRelativeURL;
    const doc = await get(url);
    assert.equal(doc.status, 200);
    const hash = createHash('sha512').update(doc.text).digest('hex').toUpperCase();
    assert.equal(url, `${GV}?hash=${hash}`);
    assert.equal(doc.headers.get('etag'), `"${hash}"`);
    assert.equal(doc.headers.get('vary'), 'Accept');
    assert.equal(doc.headers.get('cache-control'), 'public, immutable');
    assert.equal(doc.headers.get('expires'), 'Wed, 01 Jan 2031 00:00:00 GMT');
  });

  it('a stale hash redirects to the current one; no hash is served without long caching', async () => {
    const etag = (await get(GV)).headers.get('etag')!;
    const r = await get(`${GV}?hash=ABC`);
    assert.equal(r.status, 301);
    assert.equal(r.headers.get('location'), `${GV}?hash=${etag.slice(1, -1)}`);
    assert.equal((await get(GV)).headers.get('cache-control'), null);
  });

  it('If-None-Match with the current ETag gets 304, for v3 and v2', async () => {
    for (const path of [GV, '/openapi/v2']) {
      const etag = (await get(path)).headers.get('etag')!;
      assert.match(etag, /^"[0-9A-F]{128}"$/);
      assert.equal((await get(path, { 'if-none-match': etag })).status, 304);
      assert.equal((await get(path, { 'if-none-match': '"OLD"' })).status, 200);
    }
  });

  const accepts: [string, number][] = [
    ['', 200],
    ['application/json', 200],
    ['*/*', 200],
    ['application/com.github.proto-openapi.spec.v3@v1.0+protobuf, application/json', 200],
    ['application/com.github.proto-openapi.spec.v3@v1.0+protobuf', 406],
    ['application/json;q=0, text/html', 406],
  ];
  for (const [accept, status] of accepts) {
    it(`Accept ${JSON.stringify(accept)} gets ${status}`, async () => {
      const r = await get(GV, accept ? { accept } : {});
      assert.equal(r.status, status);
      if (status === 406) assert.equal((JSON.parse(r.text) as { reason: string }).reason, 'NotAcceptable');
      else assert.match(r.headers.get('content-type')!, /^application\/json/);
    });
  }

  it('the v3 document has what kubectl explain looks up, for each resource', async () => {
    const doc = JSON.parse((await get(GV)).text) as Doc;
    const fep = doc.paths!['/apis/federated.mesh/v1alpha1/namespaces/{namespace}/federatedendpoints/{name}']!;
    assert.deepEqual(fep.get!['x-kubernetes-group-version-kind'], {
      group: 'federated.mesh',
      version: 'v1alpha1',
      kind: 'FederatedEndpoint',
    });
    assert.equal(fep.get!['x-kubernetes-action'], 'get');
    assert.equal(
      doc.paths!['/apis/federated.mesh/v1alpha1/federatedendpoints']!.get!['x-kubernetes-action'],
      'list',
    );
    assert.equal(
      doc.paths!['/apis/federated.mesh/v1alpha1/watch/federatedhostendpoints/{name}']!.get![
        'x-kubernetes-action'
      ],
      'watch',
    );
    const review = doc.paths!['/apis/federated.mesh/v1alpha1/selectorreviews']!;
    assert.deepEqual(Object.keys(review), ['post']);
    const schemas = doc.components!.schemas as Record<string, Record<string, unknown>>;
    for (const kind of [
      'FederatedEndpoint',
      'FederatedEndpointList',
      'FederatedHostEndpoint',
      'SelectorReview',
    ]) {
      const s = schemas[`mesh.federated.v1alpha1.${kind}`]!;
      assert.deepEqual(s['x-kubernetes-group-version-kind'], [
        { group: 'federated.mesh', kind, version: 'v1alpha1' },
      ]);
      assert.ok(typeof s.description === 'string' && s.description.length > 20, `${kind} has no description`);
    }
    for (const name of ['ObjectMeta', 'ListMeta', 'Status'])
      assert.ok(schemas[`io.k8s.apimachinery.pkg.apis.meta.v1.${name}`]);
    assertRefsResolve(doc, '#/components/schemas/', schemas);
  });

  it('/openapi/v2 is Swagger 2.0 with the same paths and v2 definitions', async () => {
    const v2 = JSON.parse((await get('/openapi/v2')).text) as Doc & { swagger: string };
    const v3 = JSON.parse((await get(GV)).text) as Doc;
    assert.equal(v2.swagger, '2.0');
    assert.deepEqual(Object.keys(v2.paths!), Object.keys(v3.paths!));
    for (const p of Object.keys(v2.paths!)) assert.ok(p.startsWith('/apis/federated.mesh/v1alpha1/'), p);
    const defs = v2.definitions as Record<string, Record<string, unknown>>;
    assert.deepEqual(
      defs['mesh.federated.v1alpha1.FederatedHostEndpoint']!['x-kubernetes-group-version-kind'],
      [{ group: 'federated.mesh', kind: 'FederatedHostEndpoint', version: 'v1alpha1' }],
    );
    assert.equal(JSON.stringify(v2).includes('allOf'), false);
    assertRefsResolve(v2, '#/definitions/', defs);
  });
});

/** assertRefsResolve checks every $ref of a document names a schema it holds. */
function assertRefsResolve(doc: unknown, prefix: string, schemas: Record<string, unknown>): void {
  const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
  assert.ok(refs.length > 0);
  for (const r of refs) {
    const target = r.slice(8, -1);
    assert.ok(target.startsWith(prefix) && target.slice(prefix.length) in schemas, `unresolved ${target}`);
  }
}
