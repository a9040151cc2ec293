// backoff.test.ts: the retry policy every fedmesh loop uses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff, backoffDelay } from './backoff.js';

describe('backoff', () => {
  const policy = { initialMs: 500, maxMs: 30_000 };
  const cases: { name: string; attempt: number; random: number; want: number }[] = [
    { name: 'first retry without jitter is half the initial delay', attempt: 0, random: 0, want: 250 },
    { name: 'first retry with full jitter is the initial delay', attempt: 0, random: 1, want: 500 },
    { name: 'doubles per attempt', attempt: 3, random: 1, want: 4000 },
    { name: 'capped at maxMs', attempt: 20, random: 1, want: 30_000 },
    { name: 'no overflow on huge attempt counts', attempt: 10_000, random: 0, want: 15_000 },
  ];
  for (const c of cases)
    it(c.name, () => assert.equal(backoffDelay(c.attempt, { ...policy, random: () => c.random }), c.want));

  it('counts failures and starts over on reset', () => {
    const b = new Backoff({ ...policy, random: () => 1 });
    assert.deepEqual([b.next(), b.next(), b.next()], [500, 1000, 2000]);
    assert.equal(b.attempt, 3);
    b.reset();
    assert.equal(b.next(), 500);
  });
});
