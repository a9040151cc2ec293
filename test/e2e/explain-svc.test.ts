// explain-svc.test.ts: `kubectl mesh explain svc` on real control planes: cluster A federates
// Services labelled app=db of A and B; the answer names the backing Services per cluster, the
// endpoints fedmesh wrote (ready or not), a port conflict, and what to do for a plain Service.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect } from '../harness/connect.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { applyObjects, startLocalFedmesh, type LocalFedmesh } from '../harness/fedmesh.js';
import { kubectlOk } from '../harness/kubectl.js';
import { waitFor } from '../harness/wait.js';
import { pluginEnv } from '../support/pluginenv.js';
import { ensureNamespaces } from './fixtures.js';

let cp: ControlPlane;
let fm: LocalFedmesh;
let kcA: string;
let kcB: string;

const service = (
  name: string,
  spec: Record<string, unknown>,
  meta: Record<string, unknown> = {},
): object => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'shop', ...meta },
  spec,
});

// The kube-controller-manager does not run here: the backing Service's EndpointSlice is written as
// its EndpointSlice controller would.
const slice = (service: string, ready: boolean[]): object => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: `${service}-x`, namespace: 'shop', labels: { 'kubernetes.io/service-name': service } },
  addressType: 'IPv4',
  ports: [{ name: 'tcp', port: 5432, protocol: 'TCP' }],
  endpoints: ready.map((r, i) => ({
    addresses: [`10.20.0.${10 + i}`],
    conditions: { ready: r, serving: r, terminating: false },
    targetRef: { kind: 'Pod', namespace: 'shop', name: `db-${i}` },
  })),
});

before(async () => {
  cp = await startControlPlane({ clusters: ['a', 'b'] });
  kcA = cp.cluster('a').kubeconfig;
  kcB = cp.cluster('b').kubeconfig;
  fm = await startLocalFedmesh(cp.cluster('a'));
  await connect(cp.cluster('a'), cp.cluster('b'));
  await ensureNamespaces(kcA, ['shop']);
  await ensureNamespaces(kcB, ['shop']);
  await applyObjects(kcB, [
    service(
      'db',
      { selector: { app: 'db' }, ports: [{ name: 'tcp', port: 5432, protocol: 'TCP' }] },
      { labels: { app: 'db' } },
    ),
    slice('db', [true, false]),
    service(
      'db-udp',
      { selector: { app: 'x' }, ports: [{ name: 'tcp', port: 5432, protocol: 'UDP' }] },
      { labels: { app: 'db' } },
    ),
  ]);
  await applyObjects(kcA, [
    service(
      'db-global',
      { ports: [{ name: 'tcp', port: 5432, protocol: 'TCP' }] },
      { annotations: { 'federated.mesh/service-selector': "app == 'db'" } },
    ),
    service('plain', { selector: { app: 'web' }, ports: [{ port: 80 }] }),
  ]);
  // status.endpoints counts what fedmesh found; Ready=True says its EndpointSlices are written,
  // which is what explain reads back.
  await waitFor(
    'the federated Service to have its endpoints written',
    async () =>
      (await kubectlOk(kcA, [
        'get',
        'fsvc',
        '-n',
        'shop',
        'db-global',
        '-o',
        'jsonpath={.status.endpoints} {.status.conditions[?(@.type=="Ready")].status}',
      ])) === '2 True',
  );
});

after(async () => {
  await fm?.stop();
  await cp?.stop();
});

describe('kubectl mesh explain svc', () => {
  it('names the backing Services and endpoints per cluster, and the port conflict', async () => {
    const env = pluginEnv([kcA]);
    const r = await env.kubectl('mesh', 'explain', 'svc', 'db-global', '-n', 'shop');
    assert.equal(r.status, 0, r.stderr);
    assert.match(
      r.stdout,
      /^Service shop\/db-global is federated by federated.mesh\/service-selector: app == 'db'$/m,
    );
    assert.match(r.stdout, /^Ports matched by name and protocol: tcp\/TCP$/m);
    assert.match(r.stdout, /^Conflict=True \(\w+\): .*db-udp/m);
    assert.match(r.stdout, /^Cluster b: backing db(, db-udp)?; 2 endpoints, 1 ready$/m);
    assert.match(r.stdout, /^ {2}10\.20\.0\.10 b\/db-0$/m);
    assert.match(r.stdout, /^ {2}10\.20\.0\.11 b\/db-1 \(not ready: kube-proxy sends it no traffic\)$/m);
    const j = await env.kubectl('mesh', 'explain', 'svc/db-global', '-n', 'shop', '-o', 'json');
    const parsed = JSON.parse(j.stdout) as { clusters: { cluster: string; endpoints: unknown[] }[] };
    assert.deepEqual(
      parsed.clusters.map((c) => [c.cluster, c.endpoints.length]),
      [['b', 2]],
    );
    const diag = await env.kubectl('mesh', 'diagnose');
    assert.match(diag.stdout, /^\[WARN\] federated Service shop\/db-global leaves endpoints out: .*db-udp/m);
    assert.match(diag.stdout, /fix: kubectl mesh explain svc db-global -n shop/);
  });

  it('says how to federate a plain Service, and when there is none', async () => {
    const env = pluginEnv([kcA]);
    const plain = await env.kubectl('mesh', 'explain', 'svc', 'plain', '-n', 'shop');
    assert.equal(plain.status, 1);
    assert.match(
      plain.stderr,
      /^error: service shop\/plain is neither federated nor imported from another cluster$/m,
    );
    assert.match(plain.stderr, /kubectl annotate service plain -n shop federated.mesh\/service-selector=/);
    assert.match(plain.stderr, /or export it from the clusters that run it \(a ServiceExport named plain\)/);
    const none = await env.kubectl('mesh', 'explain', 'svc', 'nope', '-n', 'shop');
    assert.match(none.stderr, /^error: service shop\/nope not found$/m);
    assert.match(none.stderr, /kubectl get fsvc,serviceimports -n shop/);
  });
});
