// review.test.ts: one-off selector reviews against a label index (what SelectorReview runs): the
// same matches as brute force, nothing left behind in the index, the event loop served between
// steps; and the size limits that refuse a selector before it can cost more than linear work.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Core, CoreTrapError, SelectorError } from './index.js';
import { Rng, randomLabels, randomSelector } from '../test/support/selectorgen.js';
import { Wasm } from './wasm.js';

const core = Core.load();
const { maxBytes, maxTerms } = core.limits;

test('a review matches what evaluating every endpoint gives, for random selectors', async () => {
  const rng = new Rng(11);
  const ix = core.newIndex({ recordEvents: false });
  const parents = { ns0: randomLabels(rng), ns1: randomLabels(rng) };
  ix.upsertParents(Object.entries(parents).map(([id, labels]) => ({ id, labels })));
  const eps = Array.from({ length: 60 }, (_, i) => ({
    id: `e${i}`,
    labels: randomLabels(rng),
    parents: rng.int(2) ? ['ns0'] : ['ns1'],
  }));
  ix.upsertEndpoints(eps);
  for (let i = 0; i < 200; i++) {
    const src = randomSelector(rng);
    const want = eps
      .filter((e) =>
        core.matches(
          src,
          e.labels,
          e.parents.map((p) => parents[p as 'ns0' | 'ns1']),
        ),
      )
      .map((e) => e.id)
      .sort();
    const s = core.parse(src);
    assert.deepEqual(await ix.review(s, { stepVisits: 1 + rng.int(50) }), want, src);
    s.dispose();
  }
  assert.equal(ix.stats().selectors, 0, 'a review files no selector');
});

test('a value first seen after a review still matches in later reviews and in the index', async () => {
  const ix = core.newIndex({ recordEvents: false });
  ix.upsertEndpoints([{ id: 'old', labels: { app: 'web' } }]);
  const s = core.parse('app == "review-only-value" || app == "web"');
  assert.deepEqual(await ix.review(s), ['old']);
  ix.upsertEndpoints([{ id: 'new', labels: { app: 'review-only-value' } }]);
  assert.deepEqual(await ix.review(s), ['new', 'old']);
  ix.addSelector('kept', s);
  assert.deepEqual(ix.matching('kept'), ['new', 'old']);
  s.dispose();
});

test('a large review yields to the event loop between steps', async () => {
  const ix = core.newIndex({ recordEvents: false });
  ix.upsertEndpoints(Array.from({ length: 2000 }, (_, i) => ({ id: `e${i}`, labels: { k: `${i}` } })));
  const src = Array.from({ length: 2000 }, (_, i) => `x${i} == "v"`).join(' || ') + ' || has(k)';
  const s = core.parse(src);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  const got = await ix.review(s, { stepVisits: 50_000 });
  clearInterval(timer);
  s.dispose();
  assert.equal(got.length, 2000);
  assert.ok(ticks > 0, 'timers ran while the review was in progress');
});

// [name, selector, limit exceeded, measured size]
const limitCases: [string, string, 'bytes' | 'terms', number][] = [
  ['one byte over the length limit', `a == "${'x'.repeat(maxBytes - 6)}"`, 'bytes', maxBytes + 1],
  ['multi-byte characters count in UTF-8 bytes', `a == "${'é'.repeat(maxBytes / 2)}"`, 'bytes', maxBytes + 7],
  [
    'one term over the term limit',
    Array(maxTerms + 1)
      .fill('has(a)')
      .join('||'),
    'terms',
    maxTerms + 1,
  ],
  [
    'terms inside groups count',
    Array(maxTerms + 1)
      .fill('(all())')
      .join('&&'),
    'terms',
    maxTerms + 1,
  ],
];

for (const [name, src, what, actual] of limitCases) {
  test(`refused: ${name}`, () => {
    assert.throws(
      () => core.parse(src),
      (e: unknown) =>
        e instanceof SelectorError &&
        e.limit?.what === what &&
        e.limit.actual === actual &&
        e.reason.includes(String(actual)) &&
        e.reason.includes(String(e.limit.max)),
    );
  });
}

test('selectors at the limits parse, with the canonical form of their size', () => {
  const atLength = `a == "${'x'.repeat(maxBytes - 7)}"`;
  assert.equal(atLength.length, maxBytes);
  assert.equal(core.parse(atLength).canonical, atLength);
  const atTerms = Array(maxTerms).fill('has(a)').join('||');
  assert.equal(core.parse(atTerms).canonical, `(${Array(maxTerms).fill('has(a)').join(' || ')})`);
});

test('a trap stops the instance: every later call fails the same way, never with a wrong answer', () => {
  const w = Wasm.load();
  assert.throws(() => w.call('freeSelector', 123456), CoreTrapError);
  assert.ok(w.failure instanceof CoreTrapError);
  assert.throws(() => w.call('selectorCount'), CoreTrapError);
});
