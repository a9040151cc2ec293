// controller.test.ts: the federation controller's lifecycle decisions, driven by scripted syncers
// and a real mesh store: stale marking, grace-period removal, reconnects, restarts that sweep,
// and configuration problems.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { Core } from '../../../core/index.js';
import { jsonLogger } from '../../log.js';
import { MeshStore } from '../../mesh/meshstore.js';
import { FederationController, type SyncerView } from './controller.js';
import type { RCCObject } from './rcc.js';
import type { ClusterHealth } from './health.js';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters: [{name: r, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: r, context: {cluster: r, user: u}}]
current-context: r
`;

const pod = (name: string, rv = '1'): V1Pod => ({
  metadata: { name, namespace: 'shop', uid: name, resourceVersion: rv, labels: { app: name } },
  status: { podIP: '10.9.0.1' },
});

const rcc = (name: string): RCCObject => ({
  metadata: { name },
  spec: { clusterAccessSecret: { name: 's', namespace: 'fedmesh' } },
});
const secret = (kubeconfig = KUBECONFIG) => ({
  data: { kubeconfig: Buffer.from(kubeconfig).toString('base64') },
});

interface Scripted {
  onState: (s: SyncerView) => void;
  stopped: boolean;
  resolveSynced: () => void;
}

function setup(staleGraceMs = 60_000) {
  const mesh = new MeshStore(Core.load());
  const syncers: Scripted[] = [];
  const health = new Map<string, ClusterHealth>();
  const ctl = new FederationController({
    mesh,
    log: jsonLogger('error'),
    staleGraceMs,
    onHealth: (n, h) => health.set(n, h),
    startSyncer: (_cluster, _kc, onState) => {
      let resolveSynced!: () => void;
      const synced = new Promise<void>((r) => (resolveSynced = r));
      const s: Scripted = { onState, stopped: false, resolveSynced };
      syncers.push(s);
      return { synced, stop: async () => void (s.stopped = true) };
    },
  });
  return { mesh, syncers, health, ctl };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
const staleOf = (mesh: MeshStore, key: string) =>
  (mesh.endpoints.get(key)?.obj.status as { stale: boolean } | undefined)?.stale;

describe('federation controller', () => {
  it('marks a disconnected cluster stale, then removes its endpoints after the grace period', async () => {
    const { mesh, syncers, health, ctl } = setup(100);
    await ctl.reconcile('b', rcc('b'), secret());
    mesh.apply('b', 'pods', [{ upsert: pod('db-0') }]);
    syncers[0]!.onState({ connected: true, synced: true });
    assert.equal(staleOf(mesh, 'shop/b.db-0'), false);
    syncers[0]!.onState({
      connected: false,
      synced: true,
      lastError: { reason: 'Unreachable', message: 'cannot reach' },
    });
    assert.equal(staleOf(mesh, 'shop/b.db-0'), true);
    assert.equal(health.get('b')!.stale, true);
    assert.ok(health.get('b')!.removeAt);
    await tick(200);
    assert.equal(mesh.endpoints.get('shop/b.db-0'), undefined, 'removed after the grace period');
    assert.equal(syncers.length, 2, 'a fresh syncer takes over');
    assert.equal(syncers[0]!.stopped, true);
    await ctl.stop();
  });

  it('clears stale on reconnect before the grace period ends', async () => {
    const { mesh, syncers, ctl } = setup(60_000);
    await ctl.reconcile('b', rcc('b'), secret());
    mesh.apply('b', 'pods', [{ upsert: pod('db-0') }]);
    syncers[0]!.onState({ connected: true, synced: true });
    syncers[0]!.onState({ connected: false, synced: true });
    syncers[0]!.onState({ connected: true, synced: true });
    assert.equal(staleOf(mesh, 'shop/b.db-0'), false);
    await ctl.stop();
  });

  it('restarts only the changed cluster and sweeps what the new syncer did not deliver', async () => {
    const { mesh, syncers, ctl } = setup();
    await ctl.reconcile('b', rcc('b'), secret());
    await ctl.reconcile('c', rcc('c'), secret());
    mesh.apply('b', 'pods', [{ upsert: pod('keep') }, { upsert: pod('gone') }]);
    mesh.apply('c', 'pods', [{ upsert: pod('web') }]);
    await ctl.reconcile('b', rcc('b'), secret(KUBECONFIG.replace('token: t', 'token: t2')));
    assert.equal(syncers.length, 3);
    assert.deepEqual(
      syncers.map((s) => s.stopped),
      [true, false, false],
    );
    mesh.apply('b', 'pods', [{ upsert: pod('keep') }]);
    syncers[2]!.resolveSynced();
    await tick();
    assert.ok(mesh.endpoints.get('shop/b.keep'));
    assert.equal(mesh.endpoints.get('shop/b.gone'), undefined);
    assert.ok(mesh.endpoints.get('shop/c.web'), 'other clusters untouched');
    await ctl.stop();
  });

  it('removes a cluster with its RCC', async () => {
    const { mesh, ctl } = setup();
    await ctl.reconcile('b', rcc('b'), secret());
    mesh.apply('b', 'pods', [{ upsert: pod('db-0') }]);
    await ctl.reconcile('b', undefined, undefined);
    assert.equal(mesh.endpoints.size, 0);
    await ctl.stop();
  });

  for (const [name, sec, reason] of [
    ['missing Secret', undefined, 'SecretNotFound'],
    ['Secret without kubeconfig', { data: { token: 'eA==' } }, 'SecretMissingKey'],
    [
      'etcd datastore',
      { data: { datastoreType: Buffer.from('etcdv3').toString('base64'), kubeconfig: 'eA==' } },
      'UnsupportedDatastore',
    ],
    ['garbage kubeconfig', secret('{{{'), 'InvalidKubeconfig'],
  ] as const) {
    it(`reports ${name} as ${reason}`, async () => {
      const { health, ctl, syncers } = setup();
      await ctl.reconcile('b', rcc('b'), sec);
      assert.equal(health.get('b')?.configError?.reason, reason, JSON.stringify(health.get('b')));
      assert.equal(syncers.length, 0, 'no syncer without a usable configuration');
      await ctl.stop();
    });
  }
});
