import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { jsonLogger } from '../log.js';
import { CoalescingWriter } from './coalesce.js';

const quiet = jsonLogger('error', () => {});

describe('CoalescingWriter', () => {
  it('writes only the latest value of a key, once per interval, and only as leader', async () => {
    const written: string[] = [];
    let leader = false;
    const w = new CoalescingWriter<number>({
      write: async (k, v) => void written.push(`${k}=${v}`),
      isLeader: () => leader,
      log: quiet,
      what: 'test status',
      intervalMs: 20,
    });
    w.set('a', 1);
    w.set('a', 2);
    w.set('b', 1);
    await delay(60);
    assert.deepEqual(written, [], 'nothing written while not leader');
    leader = true;
    await delay(60);
    assert.deepEqual(written, ['a=2', 'b=1']);
    w.stop();
  });

  it('tries a failed write again unless a newer value came; drops one whose object is gone', async () => {
    const tries: string[] = [];
    let fail = true;
    const w = new CoalescingWriter<number>({
      write: async (k, v) => {
        tries.push(`${k}=${v}`);
        if (k === 'gone') throw Object.assign(new Error('not found'), { code: 404 });
        if (fail) throw new Error('conflict');
      },
      isLeader: () => true,
      log: quiet,
      what: 'test status',
      intervalMs: 20,
    });
    w.set('a', 1);
    w.set('gone', 1);
    await delay(30);
    fail = false;
    await delay(60);
    assert.deepEqual(tries, ['a=1', 'gone=1', 'a=1']);
    w.stop();
  });

  it("never writes a key's older value after a newer one, however slow a pass over many keys is", async () => {
    const written: string[] = [];
    let slow = true;
    const w = new CoalescingWriter<string>({
      // The first pass takes many intervals (one slow request per key, as under load).
      write: async (k, v) => {
        if (slow) await delay(30);
        written.push(`${k}=${v}`);
      },
      isLeader: () => true,
      log: quiet,
      what: 'test status',
      intervalMs: 5,
    });
    for (const k of ['a', 'b', 'c', 'd']) w.set(k, 'syncing');
    await delay(20); // the first pass is writing a
    for (const k of ['a', 'b', 'c', 'd']) w.set(k, 'synced');
    slow = false;
    await delay(250);
    for (const k of ['a', 'b', 'c', 'd']) {
      const last = written.filter((x) => x.startsWith(`${k}=`)).at(-1);
      assert.equal(last, `${k}=synced`, `writes: ${written.join(' ')}`);
    }
    w.stop();
  });

  it('writes up to its concurrency of keys at once, every key once per pass', async () => {
    let inFlight = 0;
    let most = 0;
    const written: string[] = [];
    const w = new CoalescingWriter<number>({
      write: async (k, v) => {
        most = Math.max(most, ++inFlight);
        await delay(10);
        inFlight--;
        written.push(`${k}=${v}`);
      },
      isLeader: () => true,
      log: quiet,
      what: 'test status',
      intervalMs: 5,
      concurrency: 3,
    });
    for (let k = 0; k < 10; k++) w.set(`k${k}`, k);
    for (let waited = 0; written.length < 10 && waited < 5000; waited += 10) await delay(10);
    assert.equal(most, 3);
    assert.deepEqual(written.sort(), Array.from({ length: 10 }, (_, k) => `k${k}=${k}`).sort());
    w.stop();
  });
});
