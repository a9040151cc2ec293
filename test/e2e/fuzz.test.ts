// fuzz.test.ts: random requests against fedmesh-apiserver's whole surface (paths, verbs, query
// parameters, headers and bodies), sent straight to its port as an authorized user so nothing in
// front filters them. Every answer must come in time and be either a success or a Status with a 4xx
// code: never a 5xx, a hang or a crash. The seed is printed; FUZZ_SEED=n replays a run.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import type { Cluster } from '../harness/cluster.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { startLocalFedmesh, type LocalFedmesh } from '../harness/fedmesh.js';
import { createPods } from './fixtures.js';

const REQUESTS = 600;
const CONCURRENCY = 8;
const ANSWER_WITHIN_MS = 10_000;
let cp: ControlPlane;
let c: Cluster;
let fm: LocalFedmesh;

// mulberry32: a small deterministic PRNG, so a failing run can be replayed from its seed.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JUNK = [
  '',
  '0',
  '-1',
  '1e309',
  '99999999999999999999',
  'true',
  'null',
  '%',
  '%zz',
  '"',
  "'",
  '\\',
  '{}',
  '[',
  'a'.repeat(5000),
  'é€😀',
  '\u0000',
  'app=web',
  'app in (a,b',
  'metadata.name=x',
  'spec.cluster!=east',
  'Exact',
  'NotOlderThan',
  'All',
  'eyJydiI6MX0',
];
const PARAMS = [
  'labelSelector',
  'fieldSelector',
  'limit',
  'continue',
  'resourceVersion',
  'resourceVersionMatch',
  'watch',
  'timeoutSeconds',
  'allowWatchBookmarks',
  'sendInitialEvents',
  'dryRun',
  'pretty',
  'includeObject',
  'fieldManager',
];
const RESOURCES = [
  'federatedendpoints',
  'federatedhostendpoints',
  'selectorreviews',
  'fep',
  'nope',
  '%2e%2e',
];
const ACCEPTS = [
  'application/json',
  'application/json;as=Table;v=v1;g=meta.k8s.io',
  'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
  'application/vnd.kubernetes.protobuf',
  'application/yaml',
  'text/html',
  '*/*',
  ';;;',
];
const TYPES = [
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
  'text/plain',
  '',
];

interface Shot {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

function shot(rand: () => number): Shot {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const api = '/apis/federated.mesh/v1alpha1';
  const paths = [
    `${api}/${pick(RESOURCES)}`,
    `${api}/namespaces/${pick(['default', 'x', '', '..'])}/${pick(RESOURCES)}/${pick(['east.web-1', 'y', ''])}`,
    `${api}/watch/${pick(RESOURCES)}`,
    `${api}/${pick(RESOURCES)}/${pick(JUNK.slice(0, 14))}`,
    '/apis',
    `/apis/federated.mesh/${pick(['v1alpha1', 'v2', ''])}`,
    `/openapi/v3/apis/federated.mesh/${pick(['v1alpha1', 'x'])}`,
    '/openapi/v2',
    `/${pick(JUNK.slice(0, 14))}`,
  ];
  const query = Array.from({ length: Math.floor(rand() * 4) }, () => {
    const v = pick(JUNK);
    return `${pick(PARAMS)}=${rand() < 0.5 ? encodeURIComponent(v) : [...v].filter((ch) => ch > ' ' && ch !== '#').join('')}`;
  }).join('&');
  const method = pick(['GET', 'GET', 'GET', 'POST', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);
  const headers: Record<string, string> = { Accept: pick(ACCEPTS) };
  if (method !== 'GET' && method !== 'HEAD') headers['Content-Type'] = pick(TYPES);
  const s: Shot = { method, path: `${pick(paths)}${query ? `?${query}` : ''}`, headers };
  if (headers['Content-Type'] !== undefined) s.body = body(rand, pick);
  return s;
}

function body(rand: () => number, pick: <T>(xs: readonly T[]) => T): string {
  const spec: Record<string, unknown> = {
    selector: pick(["app == 'web'", 'has(', 'all()', '!x', pick(JUNK)]),
  };
  if (rand() < 0.4) spec.limit = pick([0, -1, 1.5, 'x', 1e9, null]);
  if (rand() < 0.3) spec.namespace = pick([1, 'default', [], {}]);
  const obj: Record<string, unknown> = {
    apiVersion: pick(['federated.mesh/v1alpha1', 'v1', 7]),
    kind: pick(['SelectorReview', 'FederatedEndpoint', '']),
    metadata: pick([{}, { name: 'r' }, null, 'x', { name: 5 }]),
    spec: rand() < 0.1 ? pick(JUNK) : spec,
  };
  const text = JSON.stringify(obj);
  const shape = rand();
  if (shape < 0.15) return text.slice(0, Math.floor(rand() * text.length));
  if (shape < 0.25) return pick(JUNK);
  if (shape < 0.3) return `${'['.repeat(3000)}${']'.repeat(3000)}`;
  if (shape < 0.35) return 'a: [b\n  - c: {';
  return text;
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

// fire sends one shot; a stream that stays open (a watch) is cut after its headers and 300 ms.
function fire(s: Shot): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      `https://127.0.0.1:${fm.port}${s.path}`,
      {
        method: s.method,
        headers: s.headers,
        ca: fm.caPem,
        cert: c.pki.admin.certPem,
        key: c.pki.admin.keyPem,
        agent: false,
        timeout: ANSWER_WITHIN_MS,
      },
      (res) => {
        let text = '';
        const done = (): void =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers['content-type']),
            body: text,
          });
        res.on('data', (d: Buffer) => (text += d.toString().slice(0, 65536)));
        res.on('end', done);
        res.on('error', done);
        setTimeout(() => {
          done();
          req.destroy();
        }, 300).unref();
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${ANSWER_WITHIN_MS} ms`)));
    req.on('error', reject);
    req.end(s.body);
  });
}

before(async () => {
  cp = await startControlPlane({ clusters: ['east'] });
  c = cp.cluster('east');
  fm = await startLocalFedmesh(c);
  await createPods(c.kubeconfig, [
    { ns: 'default', name: 'web-1', labels: { app: 'web' }, ip: '10.1.0.5', node: 'n1' },
  ]);
});
after(async () => {
  await fm?.stop();
  await cp?.stop();
});

describe('fedmesh-apiserver under random requests', () => {
  it(`answers ${REQUESTS} random requests with successes or 4xx Status objects only`, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 1e9);
    console.log(`fuzz seed ${seed} (FUZZ_SEED=${seed} replays it)`);
    const rand = prng(seed);
    const shots = Array.from({ length: REQUESTS }, () => shot(rand));
    const failures: string[] = [];
    const codes = new Map<number, number>();
    for (let i = 0; i < shots.length; i += CONCURRENCY) {
      const batch = shots.slice(i, i + CONCURRENCY);
      const answers = await Promise.all(batch.map((s) => fire(s).catch((e: Error) => e)));
      answers.forEach((a, j) => {
        const s = batch[j]!;
        const what = `${s.method} ${s.path.slice(0, 160)} ${JSON.stringify(s.headers)} ${(s.body ?? '').slice(0, 80)}`;
        if (a instanceof Error) return void failures.push(`${what}: ${a.message}`);
        codes.set(a.status, (codes.get(a.status) ?? 0) + 1);
        // 504 "Too large resource version" is upstream's answer to a version from the future (ADR 0002).
        const upstream504 = a.status === 504 && /Too large resource version/.test(a.body);
        if (a.status >= 500 && !upstream504)
          failures.push(`${what}: HTTP ${a.status} ${a.body.slice(0, 200)}`);
        else if (a.status >= 400 && s.method !== 'HEAD' && !/"kind":"Status"/.test(a.body))
          failures.push(`${what}: HTTP ${a.status} without a Status: ${a.body.slice(0, 200)}`);
      });
    }
    console.log(`fuzz answers by code: ${JSON.stringify(Object.fromEntries([...codes].sort()))}`);
    assert.deepEqual(failures, []);
    // Still healthy and serving afterwards.
    assert.equal((await fire({ method: 'GET', path: '/readyz', headers: {} })).status, 200);
    const list = await fire({
      method: 'GET',
      path: '/apis/federated.mesh/v1alpha1/federatedendpoints',
      headers: {},
    });
    assert.equal(list.status, 200);
    assert.match(list.body, /east\.web-1/);
  });
});
