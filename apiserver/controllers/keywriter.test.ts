import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { KeyWriter } from './keywriter.js';

// A fake API: every send takes `ms`, records what was in flight, and fails when told to.
function fakeApi(ms = 20) {
  const inflight = new Set<string>();
  const sent: string[] = [];
  let peak = 0;
  const failing = new Set<string>();
  const sameKeyOverlap: string[] = [];
  return {
    sent,
    failing,
    sameKeyOverlap,
    peak: () => peak,
    async send(key: string, op: string): Promise<void> {
      if (inflight.has(key)) sameKeyOverlap.push(key);
      inflight.add(key);
      peak = Math.max(peak, inflight.size);
      await delay(ms);
      inflight.delete(key);
      if (failing.has(key)) throw new Error(`${key} refused`);
      sent.push(`${key}:${op}`);
    },
  };
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await delay(5);
  }
}

describe('KeyWriter', () => {
  it('writes several keys at once, each key in order and never twice at the same time', async () => {
    const api = fakeApi();
    const w = new KeyWriter<string>({
      send: (k, op) => api.send(k, op),
      writable: () => true,
      retry: () => {},
      failed: () => {},
      concurrency: 4,
    });
    for (let i = 0; i < 12; i++) w.set(`ns/s${i}`, ['a', 'b']);
    w.kick();
    await delay(5);
    w.set('ns/s0', ['c']); // changed while s0 is being written: written after, not beside
    w.kick();
    await until(() => api.sent.length === 25);
    assert.equal(api.peak(), 4);
    assert.deepEqual(api.sameKeyOverlap, []);
    const s0 = api.sent.filter((s) => s.startsWith('ns/s0:'));
    assert.deepEqual(s0, ['ns/s0:a', 'ns/s0:b', 'ns/s0:c']);
    w.stop();
  });

  it('sends nothing while not writable and keeps what is pending', async () => {
    const api = fakeApi(1);
    let writable = false;
    const w = new KeyWriter<string>({
      send: (k, op) => api.send(k, op),
      writable: () => writable,
      retry: () => {},
      failed: () => {},
    });
    w.set('ns/a', ['x']);
    w.kick();
    await delay(20);
    assert.deepEqual(api.sent, []);
    assert.equal(w.pending, 1);
    writable = true;
    w.kick();
    await until(() => api.sent.length === 1);
    assert.equal(w.pending, 0);
  });

  it('holds a failed key for its backoff, reports it, then hands it back; other keys go on', async () => {
    const api = fakeApi(1);
    const failed: string[] = [];
    const retried: string[] = [];
    const succeeded: string[] = [];
    const w = new KeyWriter<string>({
      send: (k, op) => api.send(k, op),
      writable: () => true,
      retry: (k) => retried.push(k),
      failed: (k, msg, wait) => {
        assert.ok(wait > 0);
        failed.push(`${k}: ${msg}`);
      },
      succeeded: (k) => succeeded.push(k),
    });
    api.failing.add('ns/bad');
    w.set('ns/bad', ['x']);
    w.set('ns/good', ['y']);
    w.kick();
    await until(() => failed.length === 1 && succeeded.length === 1);
    assert.deepEqual(failed, ['ns/bad: ns/bad refused']);
    assert.deepEqual(succeeded, ['ns/good']);
    w.set('ns/bad', ['x']); // a reconcile during the backoff: held
    assert.equal(w.pending, 0);
    await until(() => retried.length === 1, 2000);
    api.failing.clear();
    w.set('ns/bad', ['x']);
    w.kick();
    await until(() => succeeded.includes('ns/bad'));
    w.stop();
  });
});
