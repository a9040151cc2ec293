// apiserver.test.ts: federated.mesh through a real kube-apiserver with the real kubectl: discovery,
// get/list in every output, selectors, watches, paging, explain, SelectorReview, RBAC, Status
// errors and namespace deletion with kube-controller-manager. No kubectl call may print a warning.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { startLocalFedmesh, type LocalFedmesh } from '../harness/fedmesh.js';
import { kubectl } from '../harness/kubectl.js';
import { waitFor } from '../harness/wait.js';
import { createPods, type PodSpec } from './fixtures.js';
import { startWatch } from './watch-helper.js';

let cp: ControlPlane;
let fm: LocalFedmesh;
let kc: string;

/** k runs kubectl as the admin, asserting success and no warning on stderr. */
async function k(...args: string[]): Promise<string> {
  const r = await kubectl(kc, args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stderr, '', `kubectl ${args.join(' ')} printed to stderr`);
  return r.stdout;
}

/** kFail runs kubectl expecting failure and returns stderr. */
async function kFail(kubeconfig: string, ...args: string[]): Promise<string> {
  const r = await kubectl(kubeconfig, args);
  assert.notEqual(r.code, 0, `kubectl ${args.join(' ')} should fail: ${r.stdout}`);
  return r.stderr;
}

const pods: PodSpec[] = [
  {
    ns: 'default',
    name: 'web-1',
    labels: { app: 'web', tier: 'frontend' },
    ip: '10.1.0.5',
    node: 'node-1',
    port: { name: 'http', port: 8080 },
  },
  { ns: 'default', name: 'web-2', labels: { app: 'web', tier: 'frontend' }, ip: '10.1.0.6', node: 'node-2' },
  { ns: 'payments', name: 'db-1', labels: { app: 'db' }, ip: '10.1.1.7', node: 'node-1' },
];

before(async () => {
  cp = await startControlPlane({ clusters: ['east'], controllerManager: true });
  kc = cp.cluster('east').kubeconfig;
  const t0 = Date.now();
  fm = await startLocalFedmesh(cp.cluster('east'));
  console.log(`APIService Available ${Date.now() - t0} ms after start`);
  await createPods(kc, pods);
  await waitFor('3 endpoints', async () => fm.mesh.endpoints.size === 3);
});
after(async () => {
  await fm?.stop();
  await cp?.stop();
});

describe('federated.mesh aggregated API', () => {
  it('lists the group in api-resources', async () => {
    const out = await k('api-resources', '--api-group=federated.mesh');
    assert.match(out, /^federatedendpoints\s+fep\s+federated\.mesh\/v1alpha1\s+true\s+FederatedEndpoint$/m);
    assert.match(
      out,
      /^federatedhostendpoints\s+fhep\s+federated\.mesh\/v1alpha1\s+false\s+FederatedHostEndpoint$/m,
    );
    assert.match(out, /^selectorreviews\s+federated\.mesh\/v1alpha1\s+false\s+SelectorReview$/m);
  });

  it('lists endpoints of all namespaces with the story columns', async () => {
    const out = await k('get', 'fep', '-A');
    assert.match(out, /^NAMESPACE\s+NAME\s+CLUSTER\s+IPS\s+NODE\s+AGE$/m);
    assert.match(out, /^default\s+east\.web-1\s+east\s+10\.1\.0\.5\s+node-1\s+\d+s$/m);
    assert.match(out, /^payments\s+east\.db-1\s+east\s+10\.1\.1\.7\s+node-1\s+\d+s$/m);
    const wide = await k('get', 'fep', '-n', 'default', '-o', 'wide', '--show-labels');
    assert.match(wide, /SERVICE ACCOUNT\s+PORTS\s+READY\s+STALE\s+LABELS/);
    assert.match(
      wide,
      /east\.web-1 .*default\s+http:8080\/TCP\s+true\s+false\s+app=web,federated\.mesh\/cluster=east,tier=frontend/,
    );
  });

  it('serves the object as YAML with identity labels', async () => {
    const out = await k('get', 'fep', '-n', 'payments', 'east.db-1', '-o', 'yaml');
    assert.match(out, /kind: FederatedEndpoint/);
    assert.match(out, /federated\.mesh\/cluster: east/);
    assert.match(out, /ips:\n {2}- 10\.1\.1\.7/);
  });

  it('selects by label and by field', async () => {
    const byLabel = await k('get', 'fep', '-A', '-l', 'app in (web),tier!=backend', '-o', 'name');
    assert.deepEqual(byLabel.trim().split('\n'), [
      'federatedendpoint.federated.mesh/east.web-1',
      'federatedendpoint.federated.mesh/east.web-2',
    ]);
    const byNode = await k('get', 'fep', '-A', '--field-selector', 'spec.node=node-1', '-o', 'name');
    assert.deepEqual(byNode.trim().split('\n').sort(), [
      'federatedendpoint.federated.mesh/east.db-1',
      'federatedendpoint.federated.mesh/east.web-1',
    ]);
    const byIP = await k('get', 'fep', '-A', '--field-selector', 'spec.ip=10.1.0.6', '-o', 'name');
    assert.equal(byIP.trim(), 'federatedendpoint.federated.mesh/east.web-2');
  });

  it('explains the schema', async () => {
    const out = await k('explain', 'federatedendpoint.spec');
    assert.match(out, /KIND:\s+FederatedEndpoint/);
    assert.match(out, /ips\s+<\[\]string>/);
  });

  it('answers a SelectorReview created with kubectl', async () => {
    const review = JSON.stringify({
      apiVersion: 'federated.mesh/v1alpha1',
      kind: 'SelectorReview',
      metadata: { name: 'r' },
      spec: { selector: "app == 'web' && pcns.projectcalico.org/name == 'default'" },
    });
    const r = await kubectl(kc, ['create', '-f', '-', '-o', 'yaml'], { input: review });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /canonical: \(app == "web" && pcns\.projectcalico\.org\/name == "default"\)/);
    assert.match(r.stdout, /matchCount: 2/);
    assert.match(r.stdout, /cidrs:\n {2}- 10\.1\.0\.5\/32\n {2}- 10\.1\.0\.6\/32\n/);
    const bad = JSON.stringify({
      apiVersion: 'federated.mesh/v1alpha1',
      kind: 'SelectorReview',
      metadata: { name: 'r' },
      spec: { selector: 'app = web' },
    });
    const rb = await kubectl(
      kc,
      ['create', '-f', '-', '-o', 'jsonpath={.status.valid} {.status.error.position}'],
      { input: bad },
    );
    assert.equal(rb.stdout, 'false 4');
  });

  it('returns Status errors that kubectl prints', async () => {
    assert.match(
      await kFail(kc, 'get', 'fep', '-n', 'default', 'nope'),
      /^Error from server \(NotFound\): federatedendpoints\.federated\.mesh "nope" not found/m,
    );
    assert.match(
      await kFail(kc, 'get', 'fep', '-A', '--field-selector', 'spec.foo=x'),
      /Error from server \(BadRequest\).*"spec\.foo" is not a known field selector: only "metadata\.name", "metadata\.namespace"/,
    );
    assert.match(
      await kFail(kc, 'get', 'fep', '-A', '-l', 'a in ('),
      /Error from server \(BadRequest\).*unable to parse requirement/,
    );
    assert.match(
      await kFail(kc, 'delete', 'fep', '-n', 'default', 'east.web-1'),
      /Error from server \(MethodNotAllowed\)/,
    );
  });

  it('watches one endpoint and all endpoints through create, relabel and delete', async () => {
    const all = startWatch(kc, ['get', 'fep', '-A', '-w', '--output-watch-events', '--show-labels']);
    await all.waitFor(/ADDED\s+payments\s+east\.db-1/);
    await createPods(kc, [
      { ns: 'default', name: 'web-9', labels: { app: 'web' }, ip: '10.1.0.9', node: 'node-3' },
    ]);
    await all.waitFor(/ADDED\s+default\s+east\.web-9 .*app=web/);
    // kubectl get NAME -w needs the object to exist; it then watches by metadata.name.
    await waitFor('east.web-9 stored', async () => fm.mesh.endpoints.get('default/east.web-9') !== undefined);
    const one = startWatch(kc, [
      'get',
      'fep',
      '-n',
      'default',
      'east.web-9',
      '-w',
      '--output-watch-events',
      '--show-labels',
    ]);
    await one.waitFor(/ADDED\s+east\.web-9 .*app=web/);
    await k('label', 'pod', '-n', 'default', 'web-9', 'version=v2');
    await one.waitFor(/MODIFIED\s+east\.web-9 .*version=v2/);
    await all.waitFor(/MODIFIED\s+default\s+east\.web-9 .*version=v2/);
    // No kubelet confirms a graceful delete here; --force warns on stderr, which is expected.
    await kubectl(kc, ['delete', 'pod', '-n', 'default', 'web-9', '--grace-period=0', '--force']);
    await one.waitFor(/DELETED\s+east\.web-9/);
    await all.waitFor(/DELETED\s+default\s+east\.web-9/);
    assert.equal(await one.stop(), '', 'single-object watch printed to stderr');
    assert.equal(await all.stop(), '', 'collection watch printed to stderr');
  });

  it('pages 1,000 endpoints with --chunk-size, each exactly once', async () => {
    const many = Array.from({ length: 1000 }, (_, i): PodSpec => ({
      ns: 'bulk',
      name: `p-${i}`,
      labels: { app: 'bulk' },
      ip: `10.2.${i >> 8}.${i & 255}`,
      node: 'node-1',
    }));
    await createPods(kc, many);
    await waitFor('1000 bulk endpoints', async () => fm.mesh.endpoints.size >= 1003, { timeoutMs: 60_000 });
    const out = await k('get', 'fep', '-n', 'bulk', '--chunk-size=70', '-o', 'name');
    const names = out.trim().split('\n');
    assert.equal(names.length, 1000);
    assert.equal(new Set(names).size, 1000);
    const table = await k('get', 'fep', '-n', 'bulk', '--chunk-size=70', '--no-headers');
    assert.equal(table.trim().split('\n').length, 1000);
  });
});

describe('federated.mesh RBAC and authentication', () => {
  it('forbids a user with no binding', async () => {
    assert.match(
      await kFail(kc, '--as=nobody', 'get', 'fep', '-A'),
      /Error from server \(Forbidden\): federatedendpoints\.federated\.mesh is forbidden: User "nobody" cannot list resource "federatedendpoints" in API group "federated\.mesh" at the cluster scope/,
    );
  });

  it('shows a namespace viewer that namespace only', async () => {
    await k('create', 'rolebinding', 'viewer', '-n', 'payments', '--clusterrole=view', '--user=viewer');
    await waitFor(
      'view role aggregation',
      async () => (await kubectl(kc, ['--as=viewer', 'get', 'fep', '-n', 'payments'])).code === 0,
      { timeoutMs: 30_000 },
    );
    const out = await k('--as=viewer', 'get', 'fep', '-n', 'payments', '-o', 'name');
    assert.equal(out.trim(), 'federatedendpoint.federated.mesh/east.db-1');
    assert.match(
      await kFail(kc, '--as=viewer', 'get', 'fep', '-n', 'default'),
      /Forbidden.*in the namespace "default"/,
    );
    assert.match(await kFail(kc, '--as=viewer', 'get', 'fep', '-A'), /Forbidden/);
  });

  it("answers a namespace viewer's SelectorReview with that namespace only", async () => {
    const spec = { selector: "app in {'web', 'db'}" };
    const admin = JSON.parse(await reviewAs([], spec)) as { status: Record<string, unknown> };
    assert.equal(admin.status.matchCount, 3);
    assert.equal(admin.status.filtered, undefined);
    const viewer = JSON.parse(await reviewAs(['--as=viewer'], spec)) as { status: Record<string, unknown> };
    assert.equal(viewer.status.filtered, true);
    assert.equal(viewer.status.matchCount, 1);
    assert.deepEqual(
      (viewer.status.matches as { name: string }[]).map((m) => m.name),
      ['east.db-1'],
    );
    assert.deepEqual(viewer.status.cidrs, ['10.1.1.7/32']);
  });

  it('rejects X-Remote-User without a front-proxy certificate', async () => {
    const res = await fetchInsecure(
      `https://127.0.0.1:${fm.port}/apis/federated.mesh/v1alpha1/federatedendpoints`,
      { 'X-Remote-User': 'admin', 'X-Remote-Group': 'system:masters' },
    );
    assert.equal(res.status, 401);
    assert.equal((JSON.parse(res.body) as { kind: string }).kind, 'Status');
  });

  it('does not block namespace deletion (kube-controller-manager)', async () => {
    await k('create', 'namespace', 'doomed');
    await k('delete', 'namespace', 'doomed', '--timeout=60s');
    assert.match(await kFail(kc, 'get', 'namespace', 'doomed'), /NotFound/);
  });
});

/** reviewAs creates a SelectorReview with kubectl (extra args first, e.g. --as) and returns its JSON. */
async function reviewAs(extra: string[], spec: object = {}): Promise<string> {
  const body = JSON.stringify({ apiVersion: 'federated.mesh/v1alpha1', kind: 'SelectorReview', spec });
  const r = await kubectl(kc, [...extra, 'create', '--validate=false', '-f', '-', '-o', 'json'], {
    input: body,
  });
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

async function fetchInsecure(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
