// admission.test.ts: fedmesh-apiserver bounds what one client can make it do, as kube-apiserver
// does, through a real kube-apiserver and directly on its port: 413, 400, 431 and 429 as Status
// objects, long URLs and long watch timeouts served, only kube-apiserver's TLS suites, bounded metric
// labels, rate-limited security logging and an audit line per mutating request.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { jsonLogger } from '../../apiserver/log.js';
import type { Cluster } from '../harness/cluster.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { startFedmeshServer, startLocalFedmesh, type LocalFedmesh } from '../harness/fedmesh.js';
import { waitFor } from '../harness/wait.js';
import { httpsRequest, statusOf, type HttpsOptions, type Reply } from '../support/https.js';
import { createPods } from './fixtures.js';

const MAX_WATCHES = 3;
let cp: ControlPlane;
let c: Cluster;
let fm: LocalFedmesh;
const logged: Record<string, unknown>[] = [];
const API = '/apis/federated.mesh/v1alpha1';

/** viaKube sends a request as the admin through kube-apiserver. */
const viaKube = (path: string, o: HttpsOptions = {}): Promise<Reply> =>
  httpsRequest(`${c.url}${path}`, {
    ca: c.pki.servingCA.certPem,
    cert: c.pki.admin.certPem,
    key: c.pki.admin.keyPem,
    ...o,
  });

/** direct sends a request straight to fedmesh-apiserver's port (as the admin unless o says otherwise). */
const direct = (path: string, o: HttpsOptions = {}): Promise<Reply> =>
  httpsRequest(`https://127.0.0.1:${fm.port}${path}`, {
    ca: fm.caPem,
    cert: c.pki.admin.certPem,
    key: c.pki.admin.keyPem,
    ...o,
  });

const reviewBody = (spec: object): string =>
  JSON.stringify({ apiVersion: 'federated.mesh/v1alpha1', kind: 'SelectorReview', metadata: {}, spec });
const JSON_POST = { method: 'POST', headers: { 'Content-Type': 'application/json' } };

/** openWatch starts a watch through kube-apiserver; it resolves with its status and a close function. */
function openWatch(
  query = '',
): Promise<{ status: number; retryAfter?: string; body: Promise<string>; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${c.url}${API}/federatedendpoints?watch=true${query}`,
      { ca: c.pki.servingCA.certPem, cert: c.pki.admin.certPem, key: c.pki.admin.keyPem, agent: false },
      (res) => {
        let text = '';
        const body = new Promise<string>((done) => {
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => done(text));
          res.on('error', () => done(text));
        });
        const retryAfter = res.headers['retry-after'];
        resolve({
          status: res.statusCode ?? 0,
          body,
          close: () => req.destroy(),
          ...(retryAfter ? { retryAfter } : {}),
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  cp = await startControlPlane({ clusters: ['east'] });
  c = cp.cluster('east');
  const log = jsonLogger('info', (line) => logged.push(JSON.parse(line) as Record<string, unknown>));
  fm = await startLocalFedmesh(c, log, { options: { maxOpenWatches: MAX_WATCHES } });
  await createPods(c.kubeconfig, [
    { ns: 'default', name: 'web-1', labels: { app: 'web' }, ip: '10.1.0.5', node: 'n1' },
  ]);
});
after(async () => {
  await fm?.stop();
  await cp?.stop();
});

describe('fedmesh-apiserver request limits', () => {
  it('answers a body over 3 MiB with 413 through kube-apiserver and directly, without a reset', async () => {
    const big = reviewBody({ selector: 'a', padding: 'x'.repeat(4 << 20) });
    const r = await viaKube(`${API}/selectorreviews`, { ...JSON_POST, body: big });
    assert.equal(r.status, 413, r.body.slice(0, 300));
    assert.equal(statusOf(r).reason, 'RequestEntityTooLarge');
    assert.match(statusOf(r).message, /limit is 3145728/);
    // Streamed (chunked, no Content-Length): the limit is found while reading.
    const chunked = await direct(`${API}/selectorreviews`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      body: big,
    });
    assert.equal(chunked.status, 413);
    assert.equal(statusOf(chunked).reason, 'RequestEntityTooLarge');
  });

  it('answers deeply nested JSON with 400, not a stack overflow', async () => {
    const deep = `{"apiVersion":"federated.mesh/v1alpha1","kind":"SelectorReview","spec":{"selector":"a","x":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    const r = await viaKube(`${API}/selectorreviews`, { ...JSON_POST, body: deep });
    assert.equal(r.status, 400);
    assert.match(statusOf(r).message, /nested more than 100 levels/);
  });

  it('answers oversized headers with a 431 Status and serves a 16 KB URL', async () => {
    const r = await direct(`${API}/federatedendpoints`, { headers: { 'X-Filler': 'x'.repeat(2 << 20) } });
    assert.equal(r.status, 431);
    assert.equal(statusOf(r).reason, 'RequestHeaderFieldsTooLarge');
    const values = Array.from({ length: 2000 }, (_, i) => `v${i}`).join(',');
    const long = await viaKube(
      `${API}/federatedendpoints?labelSelector=${encodeURIComponent(`app in (web,${values})`)}`,
    );
    assert.ok(long.status === 200, `HTTP ${long.status}: ${long.body.slice(0, 200)}`);
    assert.match(long.body, /east\.web-1/);
  });

  it("keeps a watch with a timeout beyond a timer's range open", async () => {
    const w = await openWatch('&timeoutSeconds=2147484');
    assert.equal(w.status, 200);
    const ended = await Promise.race([
      w.body.then(() => true),
      new Promise((r) => setTimeout(() => r(false), 1500)),
    ]);
    w.close();
    assert.equal(ended, false, 'the watch ended at once');
  });

  it(`refuses watch ${MAX_WATCHES + 1} with 429 and Retry-After, and admits one again after a watch ends`, async () => {
    const open = await Promise.all(Array.from({ length: MAX_WATCHES }, () => openWatch()));
    try {
      assert.deepEqual(
        open.map((w) => w.status),
        Array(MAX_WATCHES).fill(200),
      );
      const refused = await openWatch();
      assert.equal(refused.status, 429);
      assert.equal(refused.retryAfter, '1');
      assert.match(await refused.body, /"reason":"TooManyRequests"/);
      // Reads are not watches: they are still served.
      assert.equal((await viaKube(`${API}/federatedendpoints`)).status, 200);
      open.pop()!.close();
      let again = await openWatch();
      for (let i = 0; again.status === 429 && i < 50; i++) {
        await new Promise((r) => setTimeout(r, 100));
        again = await openWatch();
      }
      assert.equal(again.status, 200);
      again.close();
    } finally {
      open.forEach((w) => w.close());
    }
  });
});

describe('fedmesh-apiserver requests in flight', () => {
  it('refuses a mutating request beyond --max-mutating-requests-inflight with 429; reads and health go on', async () => {
    // A second server on its own port (no APIService), limited to one request of each kind.
    const small = await startFedmeshServer(c, undefined, 300, {
      maxMutatingRequestsInflight: 1,
      maxRequestsInflight: 1,
    });
    const creds = {
      ca: readFileSync(small.caFile, 'utf8'),
      cert: c.pki.admin.certPem,
      key: c.pki.admin.keyPem,
    };
    const url = (path: string): string => `https://127.0.0.1:${small.port}${path}`;
    const body = reviewBody({ selector: "app == 'web'" });
    // The held request: its headers promise the whole body, half of it is sent, the rest waits.
    let held: ClientRequest | undefined;
    const heldReply = new Promise<number>((resolve, reject) => {
      held = request(
        url(`${API}/selectorreviews`),
        {
          ...creds,
          method: 'POST',
          agent: false,
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      held.on('error', reject);
      held.write(body.slice(0, 10));
    });
    try {
      await waitFor('the held request admitted', async () => {
        const m = await httpsRequest(url('/metrics'), creds);
        return /fedmesh_apiserver_current_inflight_requests\{kind="mutating"\} 1/.test(m.body);
      });
      const refused = await httpsRequest(url(`${API}/selectorreviews`), { ...creds, ...JSON_POST, body });
      assert.equal(refused.status, 429, refused.body);
      assert.equal(refused.headers['retry-after'], '1');
      assert.equal(statusOf(refused).reason, 'TooManyRequests');
      assert.equal((await httpsRequest(url(`${API}/federatedendpoints`), creds)).status, 200);
      assert.equal((await httpsRequest(url('/readyz'), creds)).status, 200);
      held!.end(body.slice(10));
      assert.equal(await heldReply, 201);
      const again = await httpsRequest(url(`${API}/selectorreviews`), { ...creds, ...JSON_POST, body });
      assert.equal(again.status, 201, again.body);
    } finally {
      held?.destroy();
      await small.stop();
    }
  });
});

describe('fedmesh-apiserver TLS, metrics and logs', () => {
  it('accepts only ECDHE AEAD suites on TLS 1.2', async () => {
    const ok = await direct('/readyz', { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-RSA-AES128-GCM-SHA256' });
    assert.equal(ok.status, 200);
    for (const weak of ['AES128-GCM-SHA256', 'ECDHE-RSA-AES128-SHA', 'AES256-SHA256'])
      await assert.rejects(
        direct('/readyz', { maxVersion: 'TLSv1.2', ciphers: weak }),
        /handshake|cipher|alert/i,
        weak,
      );
  });

  it('labels request metrics only with served resources', async () => {
    const r = await viaKube(`${API}/made-up-resource-0123`);
    assert.equal(r.status, 404);
    const metrics = (await direct('/metrics')).body;
    assert.doesNotMatch(metrics, /made-up-resource-0123/);
    assert.match(
      metrics,
      /fedmesh_apiserver_request_total\{verb="list",resource="federatedendpoints",code="200"\}/,
    );
    assert.match(metrics, /fedmesh_apiserver_current_inflight_requests\{kind="watch"\}/);
    // The selector core's intern table: the served selectors and endpoint labels hold strings.
    assert.match(metrics, /^fedmesh_core_interned_strings [1-9]\d*$/m);
    assert.match(metrics, /^fedmesh_core_string_sweeps_total \d+$/m);
  });

  it('logs forged identity headers at most 10 times a minute', async () => {
    const before = logged.length;
    for (let i = 0; i < 30; i++) {
      const r = await direct(`${API}/federatedendpoints`, {
        cert: undefined,
        key: undefined,
        headers: { 'X-Remote-User': 'admin', 'X-Remote-Group': 'system:masters' },
      });
      assert.equal(r.status, 401);
    }
    const warned = logged.slice(before).filter((l) => String(l.msg).startsWith('ignoring identity headers'));
    assert.ok(warned.length >= 1 && warned.length <= 10, `${warned.length} lines logged`);
  });

  it('writes one audit line per SelectorReview, with no credential in it', async () => {
    const r = await viaKube(`${API}/selectorreviews`, {
      ...JSON_POST,
      body: reviewBody({ selector: "app == 'web'" }),
    });
    assert.equal(r.status, 201, r.body);
    // The line is written when the server has finished the response, which may be a moment after
    // the client read it.
    await waitFor('the audit line', async () => logged.some((l) => l.msg === 'audit' && l.code === 201), {
      timeoutMs: 5000,
    });
    const audit = logged.filter((l) => l.msg === 'audit' && l.code === 201);
    assert.equal(audit.length, 1, JSON.stringify(audit));
    // Refused mutations are audited too (the 413 and 400 above).
    assert.ok(logged.some((l) => l.msg === 'audit' && l.code === 413));
    assert.equal(audit[0]!.user, 'fedmesh-admin');
    assert.equal(audit[0]!.resource, 'selectorreviews');
    assert.equal(audit[0]!.code, 201);
    assert.doesNotMatch(JSON.stringify(logged), /BEGIN (RSA |EC )?PRIVATE KEY|CERTIFICATE-----|Bearer /);
  });
});
