// gate.test.ts: policy sets wait for every cluster known at start, within a bound.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SyncGate } from './gate.js';

const settled = async (p: Promise<unknown>): Promise<boolean> =>
  Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 20))]);

describe('SyncGate', () => {
  it('opens when the local cluster and every configured cluster have synced', async () => {
    const g = new SyncGate(60_000);
    g.arm();
    g.report('a', true);
    assert.equal(await settled(g.opened), false, 'the cluster list is not read yet');
    g.expect(['a', 'b', 'c']);
    g.report('b', true);
    g.report('c', false);
    assert.deepEqual(g.state(), { open: false, waitingFor: ['c'], timedOut: false });
    g.report('c', true);
    assert.deepEqual(await g.opened, { open: true, waitingFor: [], timedOut: false });
    g.stop();
  });

  it('stays open when a cluster later loses its sync', async () => {
    const g = new SyncGate(60_000);
    g.expect(['a']);
    g.report('a', true);
    await g.opened;
    g.report('a', false);
    assert.equal(g.state().open, true);
  });

  it('opens on the bound, naming the clusters it lacks', async () => {
    const missing: string[][] = [];
    const g = new SyncGate(30, (m) => missing.push(m));
    g.arm();
    g.expect(['a', 'b']);
    g.report('a', true);
    const alive = setTimeout(() => undefined, 5_000); // the gate's own timer does not hold the process
    assert.deepEqual(await g.opened, { open: true, waitingFor: ['b'], timedOut: true });
    clearTimeout(alive);
    assert.deepEqual(missing, [['b']]);
  });
});
