// fuzz.test.ts: random and mutated selectors never crash or hang the core, every valid selector's
// canonical form re-parses, and linear memory stays bounded over a million parses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Core } from './index.js';
import { Rng, randomSelector } from '../test/support/selectorgen.js';

const ALPHABET = [
  'a',
  'b',
  '=',
  '!',
  '&',
  '|',
  '(',
  ')',
  '{',
  '}',
  ',',
  '"',
  "'",
  ' ',
  '\t',
  '\n',
  'é',
  ':',
  'has(',
  'all(',
  'in',
  'not',
  ' starts ',
  'with',
  'contains',
  '.',
  '/',
  '-',
];

function randomText(rng: Rng): string {
  return Array.from({ length: rng.int(40) }, () => rng.pick(ALPHABET)).join('');
}

// mutate deletes, duplicates or inserts a few characters of a valid selector.
function mutate(rng: Rng, s: string): string {
  let out = s;
  for (let i = 0, n = 1 + rng.int(3); i < n; i++) {
    const at = rng.int(out.length + 1);
    const r = rng.int(3);
    if (r === 0) out = out.slice(0, at) + out.slice(at + 1);
    else if (r === 1) out = out.slice(0, at) + out.slice(at, at + 3) + out.slice(at);
    else out = out.slice(0, at) + rng.pick(ALPHABET) + out.slice(at);
  }
  return out;
}

test('random and mutated inputs give a result or a positioned error, never a crash', () => {
  const core = Core.load();
  const rng = new Rng(7);
  for (let i = 0; i < 50000; i++) {
    const src = i % 2 === 0 ? randomText(rng) : mutate(rng, randomSelector(rng));
    const info = core.inspect(src);
    if (!info.valid) {
      assert.ok(info.position >= 0 && info.position <= src.length, `position of ${JSON.stringify(src)}`);
      continue;
    }
    const again = core.inspect(info.canonical);
    assert.ok(again.valid, `canonical ${info.canonical} of ${JSON.stringify(src)} must re-parse`);
    assert.equal(core.matches(src, { a: 'b' }), core.matches(info.canonical, { a: 'b' }));
  }
  assert.equal(core.stats().liveSelectors, 0);
});

test('hostile sizes are refused quickly', () => {
  const core = Core.load();
  const big = [
    '('.repeat(1e5) + 'has(a)' + ')'.repeat(1e5),
    '!'.repeat(1e5) + 'has(a)',
    Array.from({ length: 2e4 }, (_, i) => `l${i} == "v"`).join(' && '),
    'a'.repeat(1e6) + ' == "x"',
    `a in {${'"x",'.repeat(1e5)}}`,
  ];
  for (const src of big) {
    const t = process.hrtime.bigint();
    core.inspect(src);
    assert.ok(process.hrtime.bigint() - t < 2_000_000_000n, `${src.slice(0, 20)}… took too long`);
  }
});

test('memory stays bounded over one million parses', () => {
  const core = Core.load();
  const rng = new Rng(11);
  const inputs = Array.from({ length: 1000 }, (_, i) =>
    i % 3 === 0 ? randomText(rng) : randomSelector(rng),
  );
  let afterWarmup = 0;
  for (let i = 0; i < 1_000_000; i++) {
    core.inspect(inputs[i % inputs.length]!);
    if (i === 100_000) afterWarmup = core.stats().memoryBytes;
  }
  const end = core.stats().memoryBytes;
  assert.ok(end <= afterWarmup * 1.5 + 1024 * 1024, `memory grew from ${afterWarmup} to ${end} bytes`);
  assert.equal(core.stats().liveSelectors, 0);
});
