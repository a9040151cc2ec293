// restrictions.test.ts: label restrictions (what the index may assume a selector requires),
// following Calico's parser/label_restriction_test.go cases.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Core } from './index.js';
import type { Restrictions } from './index.js';

const core = Core.load();
const P = { present: true, absent: false };
const A = { present: false, absent: true };

// [name, selector, expected restrictions]
const cases: [string, string, Restrictions][] = [
  ['all() restricts nothing', 'all()', { impossible: false, labels: {} }],
  ['== gives the value', 'a == "v"', { impossible: false, labels: { a: { ...P, values: ['v'] } } }],
  [
    'in gives the values',
    'a in {"v2", "v1"}',
    { impossible: false, labels: { a: { ...P, values: ['v1', 'v2'] } } },
  ],
  ['has gives presence', 'has(a)', { impossible: false, labels: { a: P } }],
  ['contains gives presence', 'a contains "x"', { impossible: false, labels: { a: P } }],
  [
    'starts/ends with give presence',
    'a starts with "x" && b ends with "y"',
    { impossible: false, labels: { a: P, b: P } },
  ],
  ['!= gives nothing', 'a != "v"', { impossible: false, labels: {} }],
  ['not in gives nothing', 'a not in {"v"}', { impossible: false, labels: {} }],
  ['!has gives absence', '!has(a)', { impossible: false, labels: { a: A } }],
  ['negated equality gives nothing', '!a == "v"', { impossible: false, labels: {} }],
  [
    'and intersects values',
    'a in {"x", "y"} && a in {"y", "z"}',
    { impossible: false, labels: { a: { ...P, values: ['y'] } } },
  ],
  [
    'and with disjoint values is impossible',
    'a == "x" && a == "y"',
    { impossible: true, labels: { a: { ...P, values: [] } } },
  ],
  [
    'has and !has is impossible',
    'has(a) && !has(a)',
    { impossible: true, labels: { a: { present: true, absent: true } } },
  ],
  ['empty set is impossible', 'a in {}', { impossible: true, labels: { a: { ...P, values: [] } } }],
  [
    'or unites values',
    'a == "v1" || a == "v2"',
    { impossible: false, labels: { a: { ...P, values: ['v1', 'v2'] } } },
  ],
  ['or drops labels not in every branch', 'a == "v" || b == "v"', { impossible: false, labels: {} }],
  [
    'or with has drops the values',
    'a == "v2" || (has(b) && has(a))',
    { impossible: false, labels: { a: P } },
  ],
  [
    'or ignores impossible branches',
    'a in {} || b == "x"',
    { impossible: false, labels: { b: { ...P, values: ['x'] } } },
  ],
];

for (const [name, src, want] of cases) {
  test(name, () => {
    const s = core.parse(src);
    assert.deepEqual(s.restrictions(), want);
    s.dispose();
  });
}
