// selector.test.ts: the selector language against the Calico reference (selectors.md): parsing,
// canonical form, unique IDs, errors with positions, evaluation and label restrictions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Core, uniqueID } from './index.js';
import { randomLabels, randomSelector, Rng } from '../test/support/selectorgen.js';
import type { Labels } from './index.js';

const core = Core.load();
const long512 = 'l'.repeat(512);
const long513 = 'l'.repeat(513);

// [name, selector, canonical form]
const canonicalCases: [string, string, string][] = [
  ['empty selector is all()', '', 'all()'],
  ['blanks only are all()', ' \t ', 'all()'],
  ['all()', 'all()', 'all()'],
  ['blanks inside all( )', 'all( \t)', 'all()'],
  ['global()', 'global()', 'global()'],
  ['has', 'has(a)', 'has(a)'],
  ['blanks inside has( )', 'has( a\t)', 'has(a)'],
  ['equality with double quotes', 'a == "b"', 'a == "b"'],
  ['equality with single quotes and no blanks', "a=='b'", 'a == "b"'],
  ['double quote inside single quotes keeps single quotes', `a == 'x"y'`, `a == 'x"y'`],
  ['single quote inside double quotes', `a == "it's"`, `a == "it's"`],
  ['inequality', 'a!="b"', 'a != "b"'],
  ['contains', 'a contains "b"', 'a contains "b"'],
  ['contains directly before the string', 'a contains"b"', 'a contains "b"'],
  ['starts with', 'a starts with "b"', 'a starts with "b"'],
  ['startswith without blank', 'a startswith "b"', 'a starts with "b"'],
  ['starts  with with two blanks', 'a starts  with "b"', 'a starts with "b"'],
  ['ends with', 'a ends with "b"', 'a ends with "b"'],
  ['endswith', 'a endswith "b"', 'a ends with "b"'],
  ['in sorts and de-duplicates', 'a in {"z","a","z"}', 'a in {"a", "z"}'],
  ['in directly before the set', 'a in{"x"}', 'a in {"x"}'],
  ['empty set', 'a in {}', 'a in {}'],
  ['trailing comma in a set', 'a in {"x",}', 'a in {"x"}'],
  ['not in', 'a not in {"x"}', 'a not in {"x"}'],
  ['notin without blank', 'a notin {"x"}', 'a not in {"x"}'],
  ['not  in with blanks', 'a not \t in {"x"}', 'a not in {"x"}'],
  ['set values in Go byte order', 'a in {"b", "B", "a", "_"}', 'a in {"B", "_", "a", "b"}'],
  ['negation', '!has(a)', '!has(a)'],
  ['double negation collapses', '!!has(a)', 'has(a)'],
  ['triple negation collapses to one', '!!!has(a)', '!has(a)'],
  ['negated group keeps both bangs (Calico quirk)', '!(!has(a))', '!!has(a)'],
  ['redundant parentheses vanish', '(((a == "b")))', 'a == "b"'],
  ['and binds tighter than or (left)', 'a=="b" && c=="d" || e=="f"', '((a == "b" && c == "d") || e == "f")'],
  ['and binds tighter than or (right)', 'a=="b" || c=="d" && e=="f"', '(a == "b" || (c == "d" && e == "f"))'],
  ['nesting is not flattened', 'has(a)||(has(b)||has(c))', '(has(a) || (has(b) || has(c)))'],
  ['chains stay flat', 'has(a) && has(b) && has(c)', '(has(a) && has(b) && has(c))'],
  ['bang binds to one operation', '!a == "b" && c == "d"', '(!a == "b" && c == "d")'],
  ['negated group', '!(a == "b" || has(c))', '!(a == "b" || has(c))'],
  ['keyword-named labels', 'contains contains "contains"', 'contains contains "contains"'],
  ['label named in', 'in in {"in"}', 'in in {"in"}'],
  [
    'labels named has, all, not',
    'has == "x" && all != "y" && not == "z"',
    '(has == "x" && all != "y" && not == "z")',
  ],
  ['label chars and leading digit', '0a/b.c-d_E == "x"', '0a/b.c-d_E == "x"'],
  [
    'leading dash, dot and slash',
    '-a == "1" && .b == "2" && /c == "3"',
    '(-a == "1" && .b == "2" && /c == "3")',
  ],
  ['tabs between tokens', 'a\t==\t"b"', 'a == "b"'],
  ['512-character label', `${long512} == "x"`, `${long512} == "x"`],
  ['512-character label in has()', `has(${long512})`, `has(${long512})`],
  ['values keep any character', 'a == "ü x\ty"', 'a == "ü x\ty"'],
  ['empty value', 'a == ""', 'a == ""'],
];

describe('canonical form', () => {
  for (const [name, src, want] of canonicalCases) {
    test(name, () => {
      const got = core.inspect(src);
      assert.deepEqual(got, { valid: true, canonical: want, uniqueID: uniqueID(want) });
    });
  }
});

// [name, selector, position, message fragment]
const errorCases: [string, string, number, string][] = [
  ['single =', 'a = "b"', 2, "expected '=='"],
  ['right-hand label', 'a == b', 6, 'expected operator after label'],
  ['string on the left', '"b" == a', 8, 'expected operator after label'],
  ['string on the left before an operator', '"b" && has(a)', 0, 'cannot start an expression'],
  ['single &', 'has(a) & has(b)', 7, "expected '&&'"],
  ['single |', 'has(a) | has(b)', 7, "expected '||'"],
  ['unterminated string', 'a == "b', 5, 'unterminated'],
  ['unterminated single-quoted string', 'a == \'b"', 5, 'unterminated'],
  ['empty has()', 'has()', 4, 'expected a label'],
  ['blank before has(', 'has (a)', 4, 'expected operator after label'],
  ['blank before all(', 'all ()', 4, 'expected operator after label'],
  ['bad label char in has', 'has(a:b)', 5, "expected ')'"],
  ['newline is not a blank', 'a == "b"\n', 8, 'unexpected character'],
  ['carriage return', 'a\r== "b"', 1, 'expected operator after label'],
  ['colon in label', 'a:b == "c"', 1, 'expected operator after label'],
  ['star in label', '* == "c"', 0, 'unexpected character'],
  ['non-ASCII label', 'é == "x"', 0, 'unexpected character'],
  ['leading comma in a set', 'a in {,"x"}', 6, 'expected a quoted string'],
  ['double comma in a set', 'a in {"x",,}', 10, 'expected a quoted string'],
  ['missing comma in a set', 'a in {"x" "y"}', 10, "expected ',' or '}'"],
  ['unclosed set', 'a in {"x"', 9, "expected ',' or '}'"],
  ['in without a set', 'a in "x"', 5, 'expected a set'],
  ['== with a set', 'a == {"x"}', 5, 'expected a quoted string'],
  ['two expressions without operator', 'a == "b" c == "d"', 9, 'unexpected content at end'],
  ['unclosed group', '(a == "b"', 9, "expected ')'"],
  ['extra closing parenthesis', 'a == "b")', 8, 'unexpected content at end'],
  ['empty group', '()', 1, 'expected an expression'],
  ['keywords are case-sensitive', 'a Contains "x"', 2, 'expected operator after label'],
  ['operator needs a word boundary', 'a inx {}', 2, 'expected operator after label'],
  ['label alone', 'a', 1, 'expected operator after label'],
  ['bang alone', '!', 1, 'unexpected end'],
  ['dangling &&', 'a == "b" &&', 11, 'unexpected end'],
  ['513-character label', `${long513} == "x"`, 0, 'label too long'],
  ['513-character label in has()', `has(${long513})`, 4, 'label too long'],
  ['60,000 unclosed parentheses: an error, not a crash', '('.repeat(60000), 60000, 'unexpected end'],
];

describe('nesting as deep as the size limits allow, as Calico takes it', () => {
  const max = core.limits.maxBytes;
  test('parentheses around one comparison vanish', () => {
    const n = (max - 8) >> 1;
    const sel = core.parse(`${'('.repeat(n)}a == "x"${')'.repeat(n)}`);
    assert.equal(sel.canonical, 'a == "x"');
    assert.equal(sel.matches({ a: 'x' }), true);
    sel.dispose();
  });
  test('negations of negations, each in its group, print and match by parity', () => {
    const n = Math.floor((max - 8) / 3);
    for (const k of [n, n - 1]) {
      const sel = core.parse(`${'!('.repeat(k)}a == "x"${')'.repeat(k)}`);
      assert.equal(sel.canonical, `${'!'.repeat(k)}a == "x"`);
      assert.equal(sel.matches({ a: 'x' }), k % 2 === 0);
      assert.ok(sel.restrictions());
      sel.dispose();
    }
  });
  test('|| and && alternating 512 levels deep: the deepest the core takes', () => {
    let src = 'a == "x"';
    for (let i = 0; i < 512; i++) src = `${i % 2 ? 'b == "y" || ' : 'c == "z" && '}(${src})`;
    const sel = core.parse(src);
    assert.equal(sel.matches({ a: 'x', c: 'z' }), true);
    assert.equal(sel.matches({}), false);
    assert.equal(
      core.parse(sel.canonical).uniqueID,
      sel.uniqueID,
      'its canonical form parses back to itself',
    );
    const ix = core.newIndex();
    ix.upsertEndpoints([
      { id: 'in', labels: { a: 'x', c: 'z' } },
      { id: 'out', labels: { a: 'y' } },
    ]);
    ix.addSelector('deep', sel);
    assert.deepEqual(ix.matching('deep'), ['in'], 'indexed as well');
    ix.removeSelector('deep');
    sel.dispose();
    const deeper = `!(${src})`;
    const got = core.inspect(deeper);
    assert.ok(
      !got.valid && got.position === 1 && /at most 512 levels/.test(got.error),
      'one level more is refused',
    );
    const tooDeep = core.inspect(`${'!(a == "x" && '.repeat(600)}b == "y"${'))'.repeat(300)}`);
    assert.equal(tooDeep.valid, false, 'refused, not a crash');
  });
});

describe('parse errors', () => {
  for (const [name, src, position, fragment] of errorCases) {
    test(name, () => {
      const got = core.inspect(src);
      assert.equal(got.valid, false, `expected ${JSON.stringify(src)} to be invalid`);
      if (got.valid) return;
      assert.equal(got.position, position, got.error);
      assert.ok(got.error.includes(fragment), `${got.error} should mention ${fragment}`);
    });
  }
});

test('unpaired surrogates read as U+FFFD, as Calico reads them after JSON decoding', () => {
  const lone = core.parse('a == "\ud800"');
  const replaced = core.parse('a == "\ufffd"');
  assert.equal(lone.canonical, 'a == "\ufffd"');
  assert.equal(lone.uniqueID, replaced.uniqueID);
  assert.equal(lone.matches({ a: '\ufffd' }), true);
  assert.equal(replaced.matches({ a: '\udc00' }), true, 'a label value is read the same way');
  assert.equal(
    core.matches('a contains "\ude00"', { a: '\ud83d\ude00' }),
    false,
    'no match inside a whole emoji',
  );
  lone.dispose();
  replaced.dispose();
});

test('unique ID of all() is the one Calico computes', () => {
  assert.equal(
    core.inspect('all()').valid && core.parse('').uniqueID,
    's:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug',
  );
});

test('equivalent spellings share a unique ID', () => {
  const ids = ["a=='b'&&has(c)", 'a == "b" && has( c )', '((a == "b") && (has(c)))'].map(
    (s) => core.parse(s).uniqueID,
  );
  assert.equal(new Set(ids).size, 1);
});

const labels: Labels = { a: 'x', e: '', app: 'web-frontend' };
// [name, selector, expected match against `labels`]
const evalCases: [string, string, boolean][] = [
  ['== present and equal', 'a == "x"', true],
  ['== present, other value', 'a == "y"', false],
  ['== is case-sensitive', 'a == "X"', false],
  ['== missing label', 'b == "x"', false],
  ['!= present and equal', 'a != "x"', false],
  ['!= present, other value', 'a != "y"', true],
  ['!= missing label is true', 'b != "x"', true],
  ['in, value in set', 'a in {"x", "y"}', true],
  ['in, value not in set', 'a in {"y"}', false],
  ['in, missing label', 'b in {"x"}', false],
  ['in empty set', 'a in {}', false],
  ['not in, value in set', 'a not in {"x"}', false],
  ['not in, value not in set', 'a not in {"y"}', true],
  ['not in, missing label is true', 'b not in {"x"}', true],
  ['contains', 'app contains "front"', true],
  ['contains, no substring', 'app contains "back"', false],
  ['contains empty string, present', 'app contains ""', true],
  ['contains, missing label', 'b contains ""', false],
  ['starts with', 'app starts with "web"', true],
  ['starts with, no prefix', 'app starts with "front"', false],
  ['starts with, missing label', 'b starts with ""', false],
  ['ends with', 'app ends with "end"', true],
  ['ends with, no suffix', 'app ends with "web"', false],
  ['ends with, missing label', 'b ends with ""', false],
  ['has with an empty value', 'has(e)', true],
  ['has missing', 'has(b)', false],
  ['empty value equals ""', 'e == ""', true],
  ['all()', 'all()', true],
  ['global()', 'global()', true],
  ['negated equality on a missing label is true', '!b == "x"', true],
  ['negation', '!has(a)', false],
  ['and', 'has(a) && has(e)', true],
  ['and with a false branch', 'has(a) && has(b)', false],
  ['or', 'has(b) || has(e)', true],
  ['precedence: ! then && then ||', '!has(a) && has(a) || has(e)', true],
  ['precedence: grouping changes it', '!has(a) && (has(a) || has(e))', false],
];

describe('evaluation', () => {
  for (const [name, src, want] of evalCases) {
    test(name, () => assert.equal(core.matches(src, labels), want));
  }
});

// [name, selector, own labels, parents, expected]
const parentCases: [string, string, Labels, Labels[], boolean][] = [
  ['parent label is seen', 'pcns.team == "a"', {}, [{ 'pcns.team': 'a' }], true],
  ['own label shadows parent (own value)', 'a == "own"', { a: 'own' }, [{ a: 'p' }], true],
  ['own label shadows parent (parent value)', 'a == "p"', { a: 'own' }, [{ a: 'p' }], false],
  ['first parent wins', 'b == "1"', {}, [{ b: '1' }, { b: '2' }], true],
  ['later parent is shadowed', 'b == "2"', {}, [{ b: '1' }, { b: '2' }], false],
  ['second parent fills a gap', 'c == "3"', {}, [{ b: '1' }, { c: '3' }], true],
  ['!= sees the parent value', 'b != "1"', {}, [{ b: '1' }], false],
  ['has through a parent', 'has(b)', { a: 'x' }, [{ b: '' }], true],
  ['empty own label still shadows', 'a == "p"', { a: '' }, [{ a: 'p' }], false],
];

describe('parent labels', () => {
  for (const [name, src, own, parents, want] of parentCases) {
    test(name, () => assert.equal(core.matches(src, own, parents), want));
  }
});

describe('label sets kept in the core', () => {
  test('match as the same labels passed as maps, alone, one by one and in one call', () => {
    const rng = new Rng(77);
    const sels = Array.from({ length: 300 }, () => randomSelector(rng))
      .map((s) => {
        try {
          return core.parse(s);
        } catch {
          return undefined;
        }
      })
      .filter((s) => s !== undefined);
    const subjects = sels.map(() => ({
      own: randomLabels(rng),
      parents: [randomLabels(rng, ['pcns.team', 'env'])],
    }));
    const sets = subjects.map((x) => core.labelSet(x.own, x.parents));
    const want = sels.map((s, i) => s.matches(subjects[i]!.own, subjects[i]!.parents));
    assert.ok(want.some(Boolean) && !want.every(Boolean), 'the cases both match and do not');
    assert.deepEqual(
      sels.map((s, i) => s.matches(sets[i]!)),
      want,
    );
    assert.deepEqual([...core.matchPairs(sels, sets)], want.map(Number));
    // every selector against one set, in one call
    const one = sets.slice(0, 1);
    assert.deepEqual(
      [
        ...core.matchPairs(
          sels,
          Array.from({ length: sels.length }, () => one[0]!),
        ),
      ],
      sels.map((s) => Number(s.matches(subjects[0]!.own, subjects[0]!.parents))),
    );
    assert.throws(() => core.matchPairs(sels, sets.slice(1)), /selectors but \d+ label sets/);
    for (const s of sets) s.dispose();
    assert.throws(() => sels[0]!.matches(sets[0]!), /label set already disposed/);
    for (const s of sels) s.dispose();
  });
});
