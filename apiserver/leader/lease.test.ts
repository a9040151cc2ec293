// lease.test.ts: leader election against a real kube-apiserver: one holder at a time, a prompt
// hand-over on release, takeover of an abandoned Lease only after its duration, and no theft by a
// replica whose clock runs far ahead of the holder's.
import assert from 'node:assert/strict';
import { createServer, connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { CoordinationV1Api, KubeConfig } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../../test/harness/controlplane.js';
import { waitFor } from '../../test/harness/wait.js';
import { jsonLogger } from '../log.js';
import { LeaderElector, type LeaderElectorOptions } from './lease.js';

const quiet = jsonLogger('error', () => {});
const DURATION = 2000;

describe('LeaderElector against kube-apiserver', () => {
  let cp: ControlPlane;
  let kc: KubeConfig;
  const electors: LeaderElector[] = [];
  const elector = (name: string, identity: string, o: Partial<LeaderElectorOptions> = {}): LeaderElector => {
    const e = new LeaderElector({
      kubeConfig: kc,
      namespace: 'default',
      name,
      identity,
      log: quiet,
      leaseDurationMs: DURATION,
      retryMs: 100,
      ...o,
    });
    electors.push(e);
    e.start();
    return e;
  };
  const holder = async (name: string): Promise<string | undefined> =>
    (await kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ name, namespace: 'default' })).spec
      ?.holderIdentity;

  before(async () => {
    cp = await startControlPlane({ clusters: ['lease'] });
    kc = new KubeConfig();
    kc.loadFromFile(cp.cluster('lease').kubeconfig);
  });
  after(async () => {
    await Promise.all(electors.map((e) => e.stop()));
    await cp?.stop();
  });

  it('keeps one holder, even against a replica whose clock is a minute ahead, and hands over on stop', async () => {
    const a = elector('skew', 'a');
    await waitFor('a leads', async () => a.isLeader());
    const b = elector('skew', 'b', { now: () => Date.now() + 60_000 });
    // Three lease durations: a replica comparing the holder's renew stamp with its own clock would
    // have taken the Lease at its first look.
    for (let i = 0; i < 30; i++) {
      await delay(DURATION / 10);
      assert.equal(b.isLeader(), false, 'b took the Lease from a live holder');
      assert.equal(a.isLeader(), true);
    }
    const stopped = Date.now();
    await a.stop();
    await waitFor('b leads after a released the Lease', async () => b.isLeader(), { timeoutMs: 5000 });
    assert.ok(Date.now() - stopped < DURATION, 'the hand-over waited for the lease duration');
    assert.equal(await holder('skew'), 'b');
  });

  it('takes an abandoned Lease only once it has gone unrenewed for the lease duration', async () => {
    // A holder that died without releasing: the Lease names it and is never renewed again.
    await kc.makeApiClient(CoordinationV1Api).createNamespacedLease({
      namespace: 'default',
      body: { metadata: { name: 'abandoned' }, spec: { holderIdentity: 'ghost', leaseDurationSeconds: 2 } },
    });
    const seen = Date.now();
    const c = elector('abandoned', 'c');
    await delay(DURATION / 2);
    assert.equal(c.isLeader(), false, 'c took a Lease renewed half a duration ago');
    await waitFor('c leads', async () => c.isLeader(), { timeoutMs: DURATION * 4 });
    assert.ok(Date.now() - seen >= DURATION, 'c took the Lease before its duration passed');
    assert.equal(await holder('abandoned'), 'c');
  });

  // relayed starts a TCP relay to kube-apiserver that can be frozen (connections stay open, nothing
  // passes) and a KubeConfig that goes through it.
  const relayed = async (): Promise<{
    cut: KubeConfig;
    freeze: (on: boolean) => void;
    close: () => void;
  }> => {
    const server = new URL(kc.getCurrentCluster()!.server);
    let frozen = false;
    const sockets: Socket[] = [];
    const relay = createServer((client) => {
      const upstream = connect(Number(server.port), server.hostname);
      sockets.push(client, upstream);
      client.on('data', (d) => frozen || upstream.write(d));
      upstream.on('data', (d) => frozen || client.write(d));
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const port = (relay.address() as { port: number }).port;
    const cut = new KubeConfig();
    cut.loadFromString(kc.exportConfig());
    const cluster = cut.getCurrentCluster()!;
    cut.clusters = cut.clusters.map((c) =>
      c.name === cluster.name ? { ...c, server: `https://127.0.0.1:${port}` } : c,
    );
    const close = (): void => {
      sockets.forEach((s) => s.destroy());
      relay.close();
    };
    return { cut, freeze: (on) => (frozen = on), close };
  };

  it('keeps leading through a renewal that fails within the renew deadline', async () => {
    const { cut, freeze, close } = await relayed();
    try {
      const logs: string[] = [];
      const log = jsonLogger('info', (line) => logs.push(line));
      const f = elector('blip', 'f', { kubeConfig: cut, log });
      await waitFor('f leads', async () => f.isLeader());
      // Frozen until one renewal has timed out (a third of the duration), well within the deadline.
      freeze(true);
      await waitFor(
        'a renewal fails',
        async () => {
          assert.equal(f.isLeader(), true, 'f stopped leading at a failed renewal');
          return logs.some((l) => l.includes('lease renewal failed'));
        },
        { intervalMs: 10 },
      );
      freeze(false);
      for (let i = 0; i < 20; i++) {
        assert.equal(f.isLeader(), true, 'f stopped leading after the relay thawed');
        await delay(DURATION / 20);
      }
      assert.equal(await holder('blip'), 'f');
    } finally {
      close();
    }
  });

  it('a holder cut off from kube-apiserver stops leading before another may take over', async () => {
    const { cut, freeze, close } = await relayed();
    try {
      const d = elector('cut', 'd', { kubeConfig: cut });
      await waitFor('d leads', async () => d.isLeader());
      const e = elector('cut', 'e');
      freeze(true);
      const since = Date.now();
      let overlap = false;
      let dStepped = 0;
      await waitFor(
        'e leads',
        async () => {
          if (!d.isLeader() && dStepped === 0) dStepped = Date.now();
          overlap ||= d.isLeader() && e.isLeader();
          return e.isLeader();
        },
        { timeoutMs: DURATION * 5, intervalMs: 20 },
      );
      assert.equal(overlap, false, 'd and e both acted as leader');
      assert.ok(dStepped > 0 && dStepped - since <= DURATION, 'd kept leading past its renew deadline');
      assert.equal(await holder('cut'), 'e');
    } finally {
      close();
    }
  });
});
