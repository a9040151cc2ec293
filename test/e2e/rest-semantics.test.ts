// rest-semantics.test.ts: the generic REST layer through a real kube-apiserver, at the wire level:
// watch resumption and 410 Expired, bookmarks, initial events, timeoutSeconds, resourceVersion
// validation, Table v1beta1, and PartialObjectMetadataList in protobuf for the metadata client.
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { decodeProtobuf } from '../../apiserver/protobuf/index.js';
import type { Cluster } from '../harness/cluster.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { startLocalFedmesh, type LocalFedmesh } from '../harness/fedmesh.js';
import { waitFor } from '../harness/wait.js';
import { kubectlOk } from '../harness/kubectl.js';
import { createPods, type PodSpec } from './fixtures.js';

const BASE = '/apis/federated.mesh/v1alpha1';
let cp: ControlPlane;
let c: Cluster;
let fm: LocalFedmesh;

interface Reply {
  status: number;
  type: string;
  body: Buffer;
}

/** get requests path as the admin, through kube-apiserver; it resolves when the response ends. */
function get(path: string, accept = 'application/json'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${c.url}${path}`,
      {
        ca: c.pki.servingCA.certPem,
        cert: c.pki.admin.certPem,
        key: c.pki.admin.keyPem,
        headers: { Accept: accept },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type']),
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const json = (r: Reply): Record<string, unknown> => JSON.parse(r.body.toString()) as Record<string, unknown>;
interface WatchObject {
  code?: number;
  reason?: string;
  metadata: { name: string; annotations: Record<string, string> };
}
const events = (r: Reply): { type: string; object: WatchObject }[] =>
  r.body
    .toString()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { type: string; object: WatchObject });

before(async () => {
  cp = await startControlPlane({ clusters: ['w'] });
  c = cp.cluster('w');
  fm = await startLocalFedmesh(c, undefined, { watchHistory: 100 });
  await createPods(
    c.kubeconfig,
    [0, 1, 2].map((i) => ({ ns: 'app', name: `p-${i}`, labels: { app: 'a' }, ip: `10.5.0.${i}`, node: 'n' })),
  );
  // Wait for the pods' status too (their IPs), so no late update lands in the replay test.
  const withIP = (name: string): boolean =>
    ((fm.mesh.endpoints.get(`app/w.${name}`)?.obj.spec as { ips?: string[] })?.ips ?? []).length === 1;
  await waitFor('3 endpoints with IPs', async () => ['p-0', 'p-1', 'p-2'].every(withIP));
});
after(async () => {
  await fm?.stop();
  await cp?.stop();
});

describe('REST semantics through kube-apiserver', () => {
  it('replays changes after a resourceVersion, and ends at timeoutSeconds', async () => {
    const list = json(await get(`${BASE}/federatedendpoints`)) as { metadata: { resourceVersion: string } };
    await createPods(c.kubeconfig, [
      { ns: 'app', name: 'late', labels: { app: 'a' }, ip: '10.5.0.9', node: 'n' },
    ]);
    await waitFor('late endpoint', async () => fm.mesh.endpoints.size === 4);
    const r = await get(
      `${BASE}/federatedendpoints?watch=true&resourceVersion=${list.metadata.resourceVersion}&timeoutSeconds=1`,
    );
    assert.equal(r.status, 200);
    // The pod is created, then its status is set (as a kubelet would): ADDED, then MODIFIED.
    const seen = events(r).map((e) => `${e.type} ${e.object.metadata.name}`);
    assert.equal(seen[0], 'ADDED w.late');
    assert.ok(
      seen.every((e) => e.endsWith(' w.late')),
      seen.join(', '),
    );
  });

  it('sends 410 Expired for a resourceVersion older than the history', async () => {
    const old = fm.mesh.revision.current();
    for (let i = 0; i < 60; i++) fm.mesh.setStale('w', i % 2 === 0);
    fm.mesh.setStale('w', false);
    const r = await get(`${BASE}/federatedendpoints?watch=true&resourceVersion=${old}&timeoutSeconds=1`);
    const [ev] = events(r);
    assert.equal(ev?.type, 'ERROR');
    assert.equal(ev?.object.code, 410);
    assert.equal(ev?.object.reason, 'Expired');
  });

  it('sends initial events and the initial-events-end bookmark', async () => {
    const r = await get(
      `${BASE}/federatedendpoints?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1`,
    );
    const evs = events(r);
    assert.equal(evs.filter((e) => e.type === 'ADDED').length, 4);
    const last = evs.at(-1)!;
    assert.equal(last.type, 'BOOKMARK');
    assert.equal(last.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
  });

  it('rejects invalid resourceVersion combinations with 422 like upstream', async () => {
    for (const q of [
      'resourceVersionMatch=Exact',
      'resourceVersion=0&resourceVersionMatch=Exact',
      'sendInitialEvents=true',
    ]) {
      const r = await get(`${BASE}/federatedendpoints?${q}`);
      assert.equal(r.status, 422, q);
      assert.equal(json(r).reason, 'Invalid');
    }
  });

  it('pages with limit and continue, and reports the remaining count', async () => {
    const p1 = json(await get(`${BASE}/federatedendpoints?limit=3`)) as {
      items: unknown[];
      metadata: { continue: string; remainingItemCount: number };
    };
    assert.equal(p1.items.length, 3);
    assert.equal(p1.metadata.remainingItemCount, 1);
    const p2 = json(await get(`${BASE}/federatedendpoints?limit=3&continue=${p1.metadata.continue}`)) as {
      items: unknown[];
      metadata: { continue?: string };
    };
    assert.equal(p2.items.length, 1);
    assert.equal(p2.metadata.continue, undefined);
    assert.equal((await get(`${BASE}/federatedendpoints?limit=3&continue=garbage`)).status, 400);
  });

  it('serves Table v1beta1 without objects on request', async () => {
    const t = json(
      await get(
        `${BASE}/federatedendpoints?includeObject=None`,
        'application/json;as=Table;v=v1beta1;g=meta.k8s.io',
      ),
    ) as { apiVersion: string; rows: { cells: unknown[]; object?: unknown }[] };
    assert.equal(t.apiVersion, 'meta.k8s.io/v1beta1');
    assert.equal(t.rows.length, 4);
    assert.equal(t.rows[0]!.object, undefined);
  });

  it('serves PartialObjectMetadataList in protobuf to the metadata client', async () => {
    const accept =
      'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';
    const r = await get(`${BASE}/namespaces/app/federatedendpoints`, accept);
    assert.equal(r.type, 'application/vnd.kubernetes.protobuf');
    const list = decodeProtobuf(r.body) as unknown as {
      kind: string;
      items: { metadata: { name: string } }[];
    };
    assert.equal(list.kind, 'PartialObjectMetadataList');
    assert.deepEqual(
      list.items.map((i) => i.metadata.name),
      ['w.late', 'w.p-0', 'w.p-1', 'w.p-2'],
    );
  });

  it('answers a watch with headers at once, before any event', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${c.url}${BASE}/namespaces/empty/federatedendpoints?watch=true`,
        { ca: c.pki.servingCA.certPem, cert: c.pki.admin.certPem, key: c.pki.admin.keyPem },
        (res) => {
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', () => undefined);
      setTimeout(() => reject(new Error('no response headers within 5 s')), 5000).unref();
      req.end();
    });
    assert.equal(status, 200);
  });

  it('never answers 406 when JSON is acceptable', async () => {
    const r = await get(`${BASE}/federatedendpoints`, 'application/vnd.kubernetes.protobuf,application/json');
    assert.equal(r.status, 200);
    assert.equal(json(r).kind, 'FederatedEndpointList');
  });

  it('pages as a snapshot of the first page, and a watch from its version gets exactly what followed', async () => {
    const pod = (i: number): PodSpec => ({
      ns: 'pager',
      name: `q-${i}`,
      labels: { app: 'q' },
      ip: `10.6.0.${i}`,
      node: 'n',
    });
    await createPods(c.kubeconfig, [0, 1, 2, 3, 4, 5].map(pod));
    const inStore = (name: string): boolean => fm.mesh.endpoints.get(`pager/w.${name}`) !== undefined;
    // Each pod is created, then given its status (IP, Ready): wait for both, or a late status makes
    // a change after the first page that the watch below rightly reports.
    const settled = (i: number): boolean =>
      fm.mesh.endpoints.get(`pager/w.q-${i}`)?.obj.spec.ips?.includes(`10.6.0.${i}`) === true;
    await waitFor('6 pager endpoints with their status', async () => [0, 1, 2, 3, 4, 5].every(settled));
    type Page = { metadata: { resourceVersion: string; continue?: string }; items: WatchObject[] };
    const first = json(await get(`${BASE}/namespaces/pager/federatedendpoints?limit=2`)) as unknown as Page;
    const rv = first.metadata.resourceVersion;
    // Between pages: one pod created (it would sort onto a later page), one deleted from a later page.
    await createPods(c.kubeconfig, [pod(6)]);
    await kubectlOk(c.kubeconfig, ['delete', 'pod', '-n', 'pager', 'q-4', '--grace-period=0', '--force']);
    await waitFor('q-6 in, q-4 out', async () => settled(6) && !inStore('q-4'));
    const names = first.items.map((o) => o.metadata.name);
    let cont = first.metadata.continue;
    while (cont) {
      const page = json(
        await get(`${BASE}/namespaces/pager/federatedendpoints?limit=2&continue=${cont}`),
      ) as unknown as Page;
      assert.equal(page.metadata.resourceVersion, rv, 'every page carries the first page version');
      names.push(...page.items.map((o) => o.metadata.name));
      cont = page.metadata.continue;
    }
    assert.deepEqual(
      names,
      [0, 1, 2, 3, 4, 5].map((i) => `w.q-${i}`),
    );
    const watched = events(
      await get(
        `${BASE}/namespaces/pager/federatedendpoints?watch=true&resourceVersion=${rv}&timeoutSeconds=2`,
      ),
    );
    // Exactly the changes after the list: q-6 appears (ADDED first), q-4 goes (DELETED last; a forced
    // delete may modify it first); nothing the list held is ADDED again, nothing else changes.
    const seen = watched.map((e) => `${e.type} ${e.object.metadata.name}`);
    assert.deepEqual(
      [...new Set(watched.map((e) => e.object.metadata.name))].sort(),
      ['w.q-4', 'w.q-6'],
      seen.join(', '),
    );
    assert.equal(
      seen.find((e) => e.endsWith('w.q-6')),
      'ADDED w.q-6',
    );
    assert.equal(seen.filter((e) => e.endsWith('w.q-4')).at(-1), 'DELETED w.q-4');
    assert.ok(!seen.includes('ADDED w.q-4'), seen.join(', '));
  });
});
