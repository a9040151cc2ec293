// sweep.test.ts: the core's intern table frees label values nothing holds any more. Freed ids are
// handed to new strings, so every holder (index, parsed selector, label set, review in progress,
// the JS mirror) must keep matching the strings it was given, and memory must follow the labels in
// use rather than every label a long-running process has seen.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Core } from './index.js';
import { SWEEP_MIN } from './interner.js';

test('a value no endpoint carries is freed, and the same value coming back is matched as itself', () => {
  const core = Core.load();
  const ix = core.newIndex();
  ix.addSelector('prefix', 'w starts with "b"'); // remembers per value id whether a value passes
  ix.upsertEndpoints([{ id: 'e1', labels: { w: 'a1' } }]);
  ix.removeEndpoints(['e1']);
  assert.deepEqual(core.sweepStrings(), { freed: 1, interned: 1 });
  ix.upsertEndpoints([{ id: 'e2', labels: { w: 'b1' } }]); // takes the id "a1" had
  ix.addSelector('a1', 'w == "a1"');
  ix.upsertEndpoints([{ id: 'e3', labels: { w: 'a1' } }]);
  assert.deepEqual(ix.matching('a1'), ['e3']);
  assert.deepEqual(ix.matching('prefix'), ['e2']);
  assert.deepEqual(core.sweepStrings(), { freed: 0, interned: 3 });
  ix.dispose();
});

test("a parent's labels are held by the parent alone and stay its own across sweeps", () => {
  const core = Core.load();
  const ix = core.newIndex();
  ix.upsertParents([{ id: 'ns1', labels: { team: 'red' } }]);
  ix.upsertEndpoints([{ id: 'e1', labels: {}, parents: ['ns1'] }]);
  ix.addSelector('team', 'has(team)');
  assert.deepEqual(core.sweepStrings(), { freed: 0, interned: 2 });
  ix.upsertEndpoints([{ id: 'e2', labels: { team: 'blue' } }]); // must not take the id of "red"
  ix.addSelector('blue', 'team == "blue"');
  ix.addSelector('red', 'team == "red"');
  assert.deepEqual(ix.matching('blue'), ['e2']);
  assert.deepEqual(ix.matching('red'), ['e1']);
  ix.dispose();
});

// churn passes fresh values through an index of its own and sweeps, so that the ids of the strings
// nothing else holds are freed and handed to new strings.
function churn(core: Core, rounds: number): void {
  const ix = core.newIndex({ recordEvents: false });
  for (let r = 0; r < rounds; r++) {
    ix.upsertEndpoints([{ id: 'c', labels: { [`k${r}`]: `c${r}`, tier: `t${r}` } }]);
    core.sweepStrings();
  }
  ix.dispose();
  core.sweepStrings();
}

test('a parsed selector and a label set keep their strings across sweeps; once released they go', () => {
  const core = Core.load();
  const gold = core.parse('tier == "gold" && has(zone) && env != "dev"'); // "env", "dev": its own
  const set = core.labelSet({ tier: 'gold' }, [{ zone: 'z1' }]);
  assert.equal(gold.matches(set), true);
  const before = core.stats().internedStrings;
  churn(core, 50);
  assert.equal(core.stats().internedStrings, before, 'the selector and the set hold all their strings');
  assert.equal(gold.matches(set), true);
  assert.equal(gold.matches({ tier: 'gold', zone: 'z2' }), true);
  assert.equal(gold.matches({ tier: 'gold', zone: 'z2', env: 'dev' }), false);
  for (let r = 0; r < 50; r++) assert.equal(gold.matches({ tier: `t${r}`, zone: `c${r}` }), false);
  gold.dispose();
  set.dispose();
  core.sweepStrings();
  assert.equal(core.stats().internedStrings, 0);
});

test('a review in progress keeps the strings it probed while a sweep frees them everywhere else', async () => {
  const core = Core.load();
  const ix = core.newIndex();
  const eps = ['e1', 'e2', 'e3'].map((id) => ({ id, labels: { app: 'a', role: 'z' } }));
  ix.upsertEndpoints([...eps, { id: 'e4', labels: { role: 'x' } }]);
  const sel = core.parse('role == "x" || app == "a"');
  let pauses = 0;
  const got = await ix.review(sel, {
    pause: async () => {
      if (++pauses !== 2) return; // the first pause comes before the review starts
      ix.removeEndpoints(['e4']); // now only the review holds "x"
      core.sweepStrings();
      ix.upsertEndpoints([{ id: 'e1', labels: { role: 'y' } }]); // "y" must not take the id of "x"
    },
  });
  assert.deepEqual(got, ['e2', 'e3']);
  sel.dispose();
  ix.dispose();
});

test('the table sweeps itself: 200,000 values through 1,000 endpoints stay below SWEEP_MIN plus a batch', () => {
  const core = Core.load();
  const ix = core.newIndex({ recordEvents: false });
  ix.addSelector('latest', 'change in {"c-199000", "c-199999"}');
  ix.addSelector('prefix', 'change starts with "c-1999"');
  let most = 0;
  for (let k = 0; k < 200_000; k += 1000) {
    const batch = Array.from({ length: 1000 }, (_, i) => ({
      id: `p${i}`,
      labels: { app: 'web', change: `c-${k + i}` },
    }));
    ix.upsertEndpoints(batch);
    most = Math.max(most, core.stats().internedStrings);
  }
  assert.ok(most >= SWEEP_MIN, `the table reached ${most} strings before a sweep`);
  assert.ok(most < SWEEP_MIN + 2 * 1000 + 10, `the table reached ${most} strings`);
  assert.deepEqual(ix.matching('latest'), ['p0', 'p999']);
  assert.deepEqual(
    ix.matching('prefix'),
    Array.from({ length: 1000 }, (_, i) => `p${i}`).filter((_, i) => String(199_000 + i).startsWith('1999')),
  );
  ix.dispose();
});
