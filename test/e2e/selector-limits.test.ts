// selector-limits.test.ts: no SelectorReview can stall fedmesh-apiserver. Through a real
// kube-apiserver: selectors at the size limit are answered while /readyz keeps answering fast and a
// concurrent `kubectl get fep -A` succeeds; selectors over the limit get 422 Invalid naming the
// limit and the size; and the server's memory comes back after a hundred large reviews.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Core } from '../../core/index.js';
import type { Cluster } from '../harness/cluster.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { startLocalFedmesh, type LocalFedmesh } from '../harness/fedmesh.js';
import { kubectl } from '../harness/kubectl.js';
import { waitFor } from '../harness/wait.js';
import { createPods } from './fixtures.js';
import { startProber } from './readyz-prober.js';

const { maxBytes, maxTerms } = Core.load().limits;
const PODS = 30;
let cp: ControlPlane;
let c: Cluster;
let fm: LocalFedmesh;

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** review POSTs a SelectorReview as the admin through kube-apiserver. */
function review(selector: string): Promise<Reply> {
  const body = JSON.stringify({
    apiVersion: 'federated.mesh/v1alpha1',
    kind: 'SelectorReview',
    metadata: { name: 'r' },
    spec: { selector, limit: 0 },
  });
  return new Promise((resolve, reject) => {
    const req = request(
      `${c.url}/apis/federated.mesh/v1alpha1/selectorreviews`,
      {
        method: 'POST',
        ca: c.pki.servingCA.certPem,
        cert: c.pki.admin.certPem,
        key: c.pki.admin.keyPem,
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: parseBody(Buffer.concat(chunks)) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

// parseBody decodes a JSON reply; anything else (a proxy's plain-text error) is kept as text.
function parseBody(b: Buffer): Record<string, unknown> {
  try {
    return JSON.parse(b.toString()) as Record<string, unknown>;
  } catch {
    return { text: b.toString() };
  }
}

// Selectors at the limits (maxTerms terms, or maxBytes bytes); each names how many pods it matches.
const atLimit: [string, string, number][] = [
  ['an OR of equalities on one label', terms((i) => `app=="a${i}"`, '||'), PODS],
  ['an OR over as many labels', terms((i) => (i === 7 ? 'app=="a7"' : `k${i}=="v"`), '||'), 1],
  ['an AND of inequalities', terms((i) => (i === 0 ? 'has(app)' : `app!="b${i}"`), '&&'), PODS],
  ['a set of values as long as allowed', bigSet(), PODS],
];

function terms(term: (i: number) => string, op: string): string {
  const src = Array.from({ length: maxTerms }, (_, i) => term(i)).join(op);
  assert.ok(Buffer.byteLength(src) <= maxBytes, 'the test selector fits the byte limit');
  return src;
}

// bigSet is `app in {"a0", "a1", ...}` padded to exactly maxBytes.
function bigSet(): string {
  const values: string[] = [];
  for (let i = 0, len = 'app in {}'.length; ; i++) {
    const v = `"a${i}"`;
    if (len + v.length + 1 > maxBytes) break;
    values.push(v);
    len += v.length + 1;
  }
  const src = `app in {${values.join(',')}}`;
  return src + ' '.repeat(maxBytes - src.length);
}

// rssAfterGC collects garbage (the test process hosts the server) and returns the resident set.
function rssAfterGC(): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().rss;
}

before(async () => {
  cp = await startControlPlane({ clusters: ['w'] });
  c = cp.cluster('w');
  fm = await startLocalFedmesh(c);
  const pods = Array.from({ length: PODS }, (_, i) => ({
    ns: `team-${i % 3}`,
    name: `p-${i}`,
    labels: { app: `a${i}` },
    ip: `10.9.0.${i + 1}`,
    node: 'n1',
  }));
  await createPods(c.kubeconfig, pods);
  await waitFor(`${PODS} endpoints`, async () => fm.mesh.endpoints.size === PODS);
});
after(async () => {
  await fm?.stop();
  await cp?.stop();
});

describe('SelectorReview at and over the size limits', () => {
  it('answers selectors at the limit while /readyz answers fast and kubectl get fep -A succeeds', async () => {
    const prober = await startProber(fm.port);
    const list = kubectl(c.kubeconfig, ['get', 'fep', '-A', '--no-headers']);
    const started = Date.now();
    // Three rounds of every shape at once: the server parses and evaluates twelve at-limit selectors.
    const rounds = [0, 1, 2].flatMap(() => atLimit.map(([, src]) => review(src)));
    const replies = (await Promise.all(rounds)).slice(0, atLimit.length);
    const seconds = (Date.now() - started) / 1000;
    const listed = await list;
    const probes = await prober.stop();
    atLimit.forEach(([name, , want], i) => {
      const r = replies[i]!;
      assert.equal(r.status, 201, `${name}: ${JSON.stringify(r.body).slice(0, 300)}`);
      const status = r.body.status as { valid: boolean; matchCount: number };
      assert.equal(status.valid, true, name);
      assert.equal(status.matchCount, want, name);
    });
    assert.ok(seconds < 60, `twelve reviews at the limit answered in ${seconds} s`);
    assert.equal(listed.code, 0, listed.stderr);
    assert.equal(listed.stdout.trim().split('\n').length, PODS);
    assert.ok(probes.length >= 5, `readyz was polled during the reviews (${probes.length} polls)`);
    // A kubelet probe fails after its timeout (1 s by default): every poll answers well within it
    // (bench/selector-worst.ts measures the longest step).
    const ms = probes.map((p) => Math.round(p.ms)).join(',');
    assert.ok(
      probes.every((p) => p.code === 200 && p.ms < 1000),
      `every /readyz poll answered 200 within 1 s: ${ms}`,
    );
  });

  // [name, selector, Status message fragment]
  const over: [string, string, RegExp][] = [
    [
      'one byte over the length limit',
      `app == "${'x'.repeat(maxBytes - 8)}"`,
      new RegExp(
        `spec\\.selector: Too long: may not be more than ${maxBytes} bytes \\(the selector has ${maxBytes + 1} bytes\\)`,
      ),
    ],
    [
      'a megabyte selector',
      Array.from({ length: 60_000 }, (_, i) => `app == "a${i}"`).join(' || '),
      new RegExp(`Too long: may not be more than ${maxBytes} bytes`),
    ],
    [
      'one term over the term limit',
      Array(maxTerms + 1)
        .fill('has(a)')
        .join('||'),
      new RegExp(`spec\\.selector: Too many: ${maxTerms + 1}: must have at most ${maxTerms} terms`),
    ],
  ];
  for (const [name, src, message] of over) {
    it(`answers 422 Invalid for ${name}`, async () => {
      const r = await review(src);
      assert.equal(r.status, 422);
      assert.equal(r.body.reason, 'Invalid');
      assert.match(String(r.body.message), message);
    });
  }

  it('gives back its memory after a hundred large reviews', async () => {
    const src = atLimit[0]![1];
    const start = rssAfterGC();
    for (let i = 0; i < 100; i++) assert.equal((await review(src)).status, 201);
    const end = rssAfterGC();
    const mb = (n: number): string => `${(n / 2 ** 20).toFixed(0)} MB`;
    assert.ok(end <= start * 1.2, `RSS ${mb(start)} before, ${mb(end)} after 100 reviews`);
  });
});
