// syncer.test.ts: the cluster syncer against a real kube-apiserver: initial sync and watch events,
// outages and restarts with changes racing the reconnect, 410 relists that emit only real changes,
// user-actionable errors, deterministic backoff and a clean stop.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import { CoreV1Api, type KubeConfig, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import { Core } from '../../../core/index.js';
import { createCA } from '../../../core/pki.js';
import { createPods, type PodSpec } from '../../../test/e2e/fixtures.js';
import { startControlPlane, type ControlPlane } from '../../../test/harness/controlplane.js';
import type { Cluster } from '../../../test/harness/cluster.js';
import { freePort } from '../../../test/harness/ports.js';
import { waitFor } from '../../../test/harness/wait.js';
import type { Logger } from '../../log.js';
import type { SourceChange } from '../../mesh/kinds/index.js';
import { MeshStore } from '../../mesh/meshstore.js';
import { syncKinds } from '../rcc/kinds.js';
import { loadRemoteKubeConfig } from './errors.js';
import { startSyncer, type Syncer, type SyncerOptions, type SyncerState, type SyncKind } from './syncer.js';

type Obj = KubernetesObject;
const key = (o: { namespace?: string; name?: string }): string => `${o.namespace ?? ''}/${o.name ?? ''}`;

/** Mirror is a recording sink: the delivered set, and every change per key. */
class Mirror {
  readonly objects = new Map<string, Obj>();
  readonly upserts = new Map<string, number>();
  readonly deletes = new Map<string, number>();
  batches = 0;
  ghostDeletes: string[] = [];

  apply(changes: SourceChange<Obj>[]): void {
    assert.ok(changes.length > 0, 'apply is never called with an empty batch');
    this.batches++;
    for (const c of changes) {
      if ('upsert' in c) {
        const k = key(c.upsert.metadata ?? {});
        this.objects.set(k, c.upsert);
        this.upserts.set(k, (this.upserts.get(k) ?? 0) + 1);
      } else {
        const k = key(c.delete);
        if (!this.objects.delete(k)) this.ghostDeletes.push(k);
        this.deletes.set(k, (this.deletes.get(k) ?? 0) + 1);
      }
    }
  }

  reset(): void {
    this.upserts.clear();
    this.deletes.clear();
    this.batches = 0;
  }

  /** labelsByKey renders the delivered set as key → sorted labels, comparable with the cluster. */
  labelsByKey(): Record<string, string> {
    return renderLabels([...this.objects.values()]);
  }
}

function renderLabels(objs: Obj[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of objs)
    out[key(o.metadata ?? {})] = JSON.stringify(Object.entries(o.metadata?.labels ?? {}).sort());
  return out;
}

const quietLog = (lines: string[] = []): Logger => {
  const at = (level: string) => (msg: string, f?: Record<string, unknown>) =>
    void lines.push(`${level} ${msg} ${JSON.stringify(f ?? {})}`);
  return { debug: () => undefined, info: at('info'), warn: at('warn'), error: at('error') };
};

const kubeconfigOf = (path: string): KubeConfig => loadRemoteKubeConfig(readFileSync(path, 'utf8'));

interface Harness {
  syncer: Syncer;
  pods: Mirror;
  nodes: Mirror;
  states: SyncerState[];
  logs: string[];
}

function start(kc: KubeConfig, extra: Partial<SyncerOptions> = {}): Harness {
  const pods = new Mirror();
  const nodes = new Mirror();
  const states: SyncerState[] = [];
  const logs: string[] = [];
  const kinds: SyncKind[] = [
    { name: 'pods', path: '/api/v1/pods', apply: (c) => pods.apply(c) },
    { name: 'nodes', path: '/api/v1/nodes', apply: (c) => nodes.apply(c) },
  ];
  const syncer = startSyncer({
    cluster: 'remote',
    kubeConfig: kc,
    kinds,
    log: quietLog(logs),
    onState: (s) => states.push(s),
    backoff: { initialMs: 100, maxMs: 1000 },
    ...extra,
  });
  return { syncer, pods, nodes, states, logs };
}

async function clusterPods(kubeconfig: string): Promise<Record<string, string>> {
  const api = kubeconfigOf(kubeconfig).makeApiClient(CoreV1Api);
  return renderLabels((await api.listPodForAllNamespaces()).items);
}

async function converged(h: Harness, kubeconfig: string, timeoutMs = 30_000): Promise<void> {
  let want: Record<string, string> = {};
  await waitFor(
    'the delivered pods to equal the cluster',
    async () => {
      want = await clusterPods(kubeconfig);
      return h.syncer.state().connected && isDeepStrictEqual(h.pods.labelsByKey(), want);
    },
    { timeoutMs, intervalMs: 200 },
  ).catch((err: Error) => {
    assert.deepEqual(h.pods.labelsByKey(), want, err.message);
    assert.fail(`${err.message}: ${JSON.stringify(h.syncer.state())}\n${h.logs.join('\n')}`);
    throw err;
  });
  assert.deepEqual(h.pods.ghostDeletes, [], 'no deletes of objects never delivered');
}

const pod = (
  ns: string,
  name: string,
  i: number,
  labels: Record<string, string> = { app: 'web' },
): PodSpec => ({
  ns,
  name,
  labels,
  ip: `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`,
  node: 'node-1',
});

describe('startSyncer against kube-apiserver', { timeout: 300_000 }, () => {
  let cp: ControlPlane;
  let c: Cluster;
  let api: CoreV1Api;
  const relabel = (ns: string, name: string, labels: Record<string, string>): Promise<V1Pod> =>
    api.patchNamespacedPod({
      namespace: ns,
      name,
      body: [{ op: 'replace', path: '/metadata/labels', value: labels }],
    });
  const remove = (ns: string, name: string): Promise<V1Pod> =>
    api.deleteNamespacedPod({ namespace: ns, name, gracePeriodSeconds: 0 });

  before(async () => {
    cp = await startControlPlane({ clusters: ['remote'] });
    c = cp.cluster('remote');
    api = kubeconfigOf(c.kubeconfig).makeApiClient(CoreV1Api);
    await createPods(
      c.kubeconfig,
      [0, 1, 2, 3, 4].map((i) => pod('alpha', `web-${i}`, i)),
    );
  });
  after(async () => {
    await cp?.stop();
  });

  it('delivers exactly the cluster (paginated) and then watch events', async () => {
    const h = start(kubeconfigOf(c.kubeconfig), { listPageSize: 2 });
    try {
      await h.syncer.synced;
      assert.equal(h.pods.batches, 3, 'each page of 2 of the 5 pods is applied as it arrives');
      assert.deepEqual(h.pods.labelsByKey(), await clusterPods(c.kubeconfig));
      assert.equal(h.syncer.state().kinds.pods?.objects, 5);
      assert.ok(h.syncer.state().synced && h.syncer.state().connected && h.syncer.state().lastSyncTime);
      await createPods(c.kubeconfig, [pod('alpha', 'extra', 9)]);
      await relabel('alpha', 'web-0', { app: 'db' });
      await remove('alpha', 'web-1');
      await converged(h, c.kubeconfig);
      assert.equal(h.pods.objects.get('alpha/web-0')?.metadata?.labels?.app, 'db');
      assert.equal(h.pods.objects.get('alpha/web-0')?.metadata?.managedFields, undefined);
    } finally {
      await h.syncer.stop();
    }
  });

  it('feeds a MeshStore through the mesh kinds', async () => {
    const mesh = new MeshStore(Core.load());
    const states: SyncerState[] = [];
    const syncer = startSyncer({
      cluster: 'remote',
      kubeConfig: kubeconfigOf(c.kubeconfig),
      kinds: syncKinds(mesh, 'remote'),
      log: quietLog(),
      onState: (s) => states.push(s),
    });
    try {
      await syncer.synced;
      const pods = Object.keys(await clusterPods(c.kubeconfig));
      assert.equal(mesh.endpoints.size, pods.length);
      for (const k of pods) assert.ok(mesh.endpoints.get(k.replace('/', '/remote.')), `endpoint for ${k}`);
      // serviceexports is optional: this cluster has no MCS CRDs, and it still syncs.
      assert.deepEqual(Object.keys(syncer.state().kinds).sort(), [
        'endpointslices',
        'namespaces',
        'nodes',
        'pods',
        'serviceaccounts',
        'serviceexports',
        'services',
      ]);
      assert.equal(syncer.state().kinds.serviceexports?.listed, true);
      assert.ok(states.at(-1)?.synced);
    } finally {
      await syncer.stop();
    }
  });

  it('survives three apiserver restarts with changes racing the reconnect', async () => {
    const h = start(kubeconfigOf(c.kubeconfig));
    try {
      await h.syncer.synced;
      for (let round = 0; round < 3; round++) {
        const cur = Object.keys(await clusterPods(c.kubeconfig)).sort();
        const [del, lab, ...untouched] = cur;
        await c.stopApiserver();
        const t0 = Date.now();
        await waitFor('connected=false', async () => !h.syncer.state().connected, {
          timeoutMs: 5000,
          intervalMs: 50,
        });
        const down = Date.now() - t0;
        assert.equal(h.syncer.state().lastError?.reason, 'Unreachable', JSON.stringify(h.syncer.state()));
        assert.match(h.syncer.state().lastError?.message ?? '', new RegExp(`cannot reach ${c.url}`));
        assert.ok(down < 3000, `disconnect noticed after ${down} ms`);
        await c.start();
        h.pods.reset();
        const added = [pod('beta', `r${round}-a`, 100 + round), pod('beta', `r${round}-b`, 110 + round)];
        await Promise.all([
          remove(...(del!.split('/') as [string, string])),
          relabel(...(lab!.split('/') as [string, string]), { app: 'web', round: String(round) }),
          createPods(c.kubeconfig, added),
        ]);
        await converged(h, c.kubeconfig);
        for (const k of untouched)
          assert.equal(h.pods.upserts.get(k), undefined, `no upsert for unchanged ${k}`);
        assert.deepEqual([...h.pods.deletes.keys()], [del], 'exactly the deleted pod is deleted');
        assert.equal(h.syncer.state().lastError, undefined);
      }
    } finally {
      await h.syncer.stop();
    }
  });

  it('ignores a watch replayed from an older resourceVersion', async () => {
    const h = start(kubeconfigOf(c.kubeconfig));
    try {
      await h.syncer.synced;
      h.pods.reset();
      const before = h.syncer.state().kinds.pods!.resourceVersion!;
      const [first] = Object.keys(await clusterPods(c.kubeconfig)).sort();
      const [ns, name] = first!.split('/') as [string, string];
      const latest = (await relabel(ns, name, { app: 'web', replay: 'yes' })).metadata!.resourceVersion!;
      await converged(h, c.kubeconfig);
      assert.equal(h.pods.upserts.get(first!), 1);
      for (const from of [before, '1']) {
        h.pods.reset();
        // kube-apiserver replays from its watch cache: older versions of every pod, then the relabel.
        h.syncer.rewatchFrom('pods', from);
        await waitFor(
          `replay from ${from}`,
          async () => h.syncer.state().kinds.pods?.resourceVersion === latest,
        );
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(h.pods.batches, 0, `replay from ${from} delivers nothing`);
      }
    } finally {
      await h.syncer.stop();
    }
  });

  const failures: { name: string; kubeconfig: () => Promise<string>; reason: string; message: RegExp }[] = [
    {
      name: 'an unbound user',
      kubeconfig: async () => readFileSync(c.userKubeconfig('system:serviceaccount:fedmesh:remote'), 'utf8'),
      reason: 'Forbidden',
      message:
        /^missing permission: list (pods|nodes) at the cluster scope \(User "system:serviceaccount:fedmesh:remote" cannot list resource/,
    },
    {
      name: 'a kubeconfig with the wrong CA',
      kubeconfig: async () => {
        const other = Buffer.from(createCA('not-the-cluster-ca').certPem).toString('base64');
        return readFileSync(c.kubeconfig, 'utf8').replace(
          /certificate-authority-data: .*/,
          `certificate-authority-data: ${other}`,
        );
      },
      reason: 'CertificateMismatch',
      message:
        /^the server certificate of https:\/\/127\.0\.0\.1:\d+ is not signed by the CA in the kubeconfig \(\w+\); check certificate-authority-data$/,
    },
    {
      name: 'a closed port',
      kubeconfig: async () =>
        readFileSync(c.kubeconfig, 'utf8').replace(c.url, `https://127.0.0.1:${await freePort()}`),
      reason: 'Unreachable',
      message: /^cannot reach https:\/\/127\.0\.0\.1:\d+: connection refused$/,
    },
  ];
  for (const f of failures) {
    it(`reports ${f.reason} for ${f.name}`, async () => {
      const h = start(loadRemoteKubeConfig(await f.kubeconfig()));
      try {
        await waitFor(f.reason, async () => h.syncer.state().lastError?.reason === f.reason, {
          timeoutMs: 10_000,
        });
        const s = h.syncer.state();
        assert.equal(s.connected, false);
        assert.equal(s.synced, false);
        assert.match(s.lastError!.message, f.message);
        assert.ok(!h.logs.join('\n').includes('BEGIN'), 'no key material in logs');
      } finally {
        await h.syncer.stop();
      }
    });
  }

  it('retries with capped, jittered exponential backoff (injected sleep and random)', async () => {
    const sleeps: number[] = [];
    const sleep = (ms: number, signal: AbortSignal): Promise<void> => {
      sleeps.push(ms);
      if (sleeps.length < 6) return Promise.resolve();
      return new Promise((r) => signal.addEventListener('abort', () => r(), { once: true }));
    };
    const kc = loadRemoteKubeConfig(
      readFileSync(c.kubeconfig, 'utf8').replace(c.url, `https://127.0.0.1:${await freePort()}`),
    );
    const syncer = startSyncer({
      cluster: 'remote',
      kubeConfig: kc,
      kinds: [{ name: 'pods', path: '/api/v1/pods', apply: () => undefined }],
      log: quietLog(),
      onState: () => undefined,
      backoff: { initialMs: 100, maxMs: 1000 },
      random: () => 0.5,
      sleep,
    });
    await waitFor('six retries', async () => sleeps.length === 6);
    await syncer.stop();
    // base = min(max, initial·2^n); delay = base/2 + random·base/2
    assert.deepEqual(sleeps, [75, 150, 300, 600, 750, 750]);
  });

  it('stop aborts requests, leaves no timers or sockets and makes no more callbacks', async () => {
    const handles = (): string[] =>
      process
        .getActiveResourcesInfo()
        .filter((r) => r === 'Timeout' || r === 'TCPSocketWrap' || r === 'TLSWrap');
    const baseline = handles().length;
    const h = start(kubeconfigOf(c.kubeconfig));
    await h.syncer.synced;
    const calls = (): number => h.states.length + h.pods.batches + h.nodes.batches;
    await h.syncer.stop();
    const n = calls();
    // Destroyed sockets release their handles within a few turns of the event loop.
    await waitFor('sockets and timers to go', async () => handles().length <= baseline, {
      timeoutMs: 1000,
      intervalMs: 10,
    }).catch(() => assert.fail(`handles after stop: ${handles().join(',')} (baseline ${baseline})`));
    await createPods(c.kubeconfig, [pod('gamma', 'after-stop', 200)]);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(calls(), n, 'no onState or apply after stop');
    await h.syncer.stop(); // idempotent
  });
});

/** ScriptedServer is a minimal kube-apiserver stand-in that answers watches as scripted. */
class ScriptedServer {
  items: Obj[] = [];
  rv = 10;
  lists = 0;
  watches = 0;
  /** next watch answers: 'event' (ERROR 410 event), 'http' (HTTP 410), else hold the stream open. */
  script: ('event' | 'http')[] = [];
  readonly server = createServer((req, res) => this.handle(req.url ?? '', res));

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  handle(url: string, res: ServerResponse): void {
    const gone = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 };
    if (!url.includes('watch=1')) {
      this.lists++;
      const body = {
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(this.rv) },
        items: this.items,
      };
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    }
    this.watches++;
    const step = this.script.shift();
    if (step === 'http') return void res.writeHead(410).end(JSON.stringify({ ...gone, message: 'too old' }));
    res.writeHead(200, { 'content-type': 'application/json' });
    if (step === 'event')
      res.end(JSON.stringify({ type: 'ERROR', object: { ...gone, message: 'too old' } }) + '\n');
  }

  set(items: [string, number][]): void {
    this.items = items.map(([name, rv]) => ({
      metadata: { namespace: 'ns', name, resourceVersion: String(rv) },
    }));
    this.rv = Math.max(this.rv, ...items.map(([, rv]) => rv));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }
}

describe('startSyncer relists after 410 Expired', () => {
  const kubeconfigFor = (server: string): KubeConfig =>
    loadRemoteKubeConfig(
      stringify({
        clusters: [{ name: 's', cluster: { server, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'u', user: { token: 'scripted' } }],
        contexts: [{ name: 's', context: { cluster: 's', user: 'u' } }],
        'current-context': 's',
      }),
    );

  it('emits only real changes on a relist (watch ERROR 410, then HTTP 410)', async () => {
    const s = new ScriptedServer();
    s.set([
      ['a', 10],
      ['b', 11],
    ]);
    s.script = ['event'];
    const h = start(kubeconfigFor(await s.listen()));
    const pods = h.pods;
    try {
      await h.syncer.synced;
      await waitFor('the relist after a 410 event', async () => s.lists >= 2 && s.watches >= 2);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(pods.batches, 1, 'only the initial list was delivered');
      pods.reset();
      s.set([
        ['b', 12],
        ['c', 13],
      ]);
      s.script = ['http'];
      h.syncer.rewatchFrom('pods', '11'); // ends the held watch; the next one gets HTTP 410
      await waitFor('the relist after HTTP 410', async () => s.lists >= 3 && pods.batches === 1);
      assert.deepEqual([...pods.upserts.keys()].sort(), ['ns/b', 'ns/c']);
      assert.deepEqual([...pods.deletes.keys()], ['ns/a']);
      assert.equal(h.syncer.state().connected, true);
    } finally {
      await h.syncer.stop();
      await s.close();
    }
  });

  it('applies a large list in slices, with turns of the event loop between them', async () => {
    const s = new ScriptedServer();
    s.set(Array.from({ length: 1050 }, (_, i): [string, number] => [`p${i}`, 20 + i]));
    const h = start(kubeconfigFor(await s.listen()));
    const sizes: number[] = [];
    let firstTurn = -1; // how many objects were applied when the loop first ran other work
    const apply = h.pods.apply.bind(h.pods);
    h.pods.apply = (changes) => {
      if (sizes.length === 0) setImmediate(() => (firstTurn = h.pods.objects.size));
      sizes.push(changes.length);
      apply(changes);
    };
    try {
      await h.syncer.synced;
      assert.equal(h.pods.objects.size, 1050);
      assert.ok(Math.max(...sizes) <= 100, `batches of ${sizes.join(', ')}`);
      assert.ok(firstTurn > 0 && firstTurn < 1050, `other work ran after ${firstTurn} of 1050 objects`);
    } finally {
      await h.syncer.stop();
      await s.close();
    }
  });
});
