// main.test.ts: kubectl-mesh commands run in-process through run(), with captured streams.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IO } from './cli/command.js';
import { CliError } from './cli/errors.js';
import { run } from './main.js';

/** EvalLine is one line `kubectl mesh selector eval -o json` writes. */
interface EvalLine {
  valid?: boolean;
  canonical?: string;
  uniqueID?: string;
  matches?: boolean;
  error?: string;
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function* linesOf(text: string): AsyncIterable<string> {
  for (const l of text.split('\n')) yield l;
}

async function mesh(argv: string[], stdin = '', files: Record<string, string> = {}): Promise<Result> {
  const r = { stdout: '', stderr: '' };
  const io: IO = {
    stdout: (s) => void (r.stdout += s),
    stderr: (s) => void (r.stderr += s),
    stdin: () => linesOf(stdin),
    readFile: (p) => (p in files ? linesOf(files[p]!) : missing(p)),
  };
  return { code: await run(argv, io), ...r };
}

// missing behaves like reading a file that does not exist: the error surfaces on first read.
function missing(p: string): AsyncIterable<string> {
  return {
    [Symbol.asyncIterator]: () => ({
      next: () => Promise.reject(new CliError('ENOENT', `cannot read ${p}: no such file`)),
    }),
  };
}

describe('selector validate', () => {
  test('a valid selector prints its canonical form and exits 0', async () => {
    const r = await mesh(['selector', 'validate', "app=='web'"]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^VALID {3}CANONICAL {4,}UNIQUE ID\ntrue {4}app == "web" {3}s:/);
  });

  test('an invalid selector exits 1 with the message and a caret under the position', async () => {
    const r = await mesh(['selector', 'validate', 'app = "web"']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    const lines = r.stderr.split('\n');
    assert.equal(
      lines[0],
      "error: invalid selector at position 4: expected '==' (a single '=' is not an operator)",
    );
    assert.equal(lines[1], '  app = "web"');
    assert.equal(lines[2], '      ^');
    assert.match(lines[3]!, /kubectl mesh selector --help/);
  });

  test('-o json prints the result object', async () => {
    const r = await mesh(['selector', 'validate', '-o', 'json', 'all()']);
    assert.deepEqual(JSON.parse(r.stdout), {
      canonical: 'all()',
      uniqueID: 's:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug',
      valid: true,
    });
  });

  test('a selector starting with - follows --', async () => {
    const r = await mesh(['selector', 'validate', '--', '-a == "x"']);
    assert.equal(r.code, 0, r.stderr);
  });
});

test('selector canonical prints the canonical form and unique ID (yaml)', async () => {
  const r = await mesh(['selector', 'canonical', '-o', 'yaml', 'all( )']);
  assert.equal(r.stdout, 'canonical: all()\nuniqueID: s:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug\n');
});

describe('selector eval', () => {
  const cases: [string, string[], boolean][] = [
    ['own labels match', ['app == "web"', '--labels', 'app=web,tier=fe'], true],
    ['missing label with != matches', ['tier != "db"', '--labels', 'app=web'], true],
    ['parent labels are seen', ['pcns.team == "pay"', '--parent-labels', 'pcns.team=pay'], true],
    ['own labels shadow parents', ['a == "p"', '-l', 'a=own', '--parent-labels', 'a=p'], false],
    ['empty value', ['has(x) && x == ""', '--labels', 'x='], true],
  ];
  for (const [name, argv, want] of cases) {
    test(name, async () => {
      const r = await mesh(['selector', 'eval', '-o', 'json', ...argv]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as EvalLine).matches, want);
    });
  }

  test('batch mode answers every line in order and reports bad lines in place', async () => {
    const input = [
      JSON.stringify({ selector: 'app == "web"', labels: { app: 'web' } }),
      'not json',
      JSON.stringify({ selector: 'a =' }),
      '',
      JSON.stringify({ selector: 'pcns.t == "x"', labels: {}, parents: [{ 'pcns.t': 'x' }] }),
      JSON.stringify({ selector: 'all()', labels: { a: 1 } }),
      JSON.stringify({ selector: 'app == "web"', labels: { app: 'db' } }),
    ].join('\n');
    const r = await mesh(['selector', 'eval', '--batch', '-'], input);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as EvalLine);
    assert.equal(r.code, 1, 'a bad line makes the exit code 1');
    assert.equal(out.length, 6);
    assert.deepEqual(out[0], {
      valid: true,
      canonical: 'app == "web"',
      uniqueID: out[0]?.uniqueID,
      matches: true,
    });
    assert.match(out[1]?.error ?? '', /^line 2: invalid JSON/);
    assert.deepEqual(out[2], {
      valid: false,
      error: "invalid selector at position 2: expected '==' (a single '=' is not an operator)",
    });
    assert.equal(out[3]?.matches, true);
    assert.deepEqual(out[4], { valid: false, error: 'line 6: "labels.a" must be a string' });
    assert.equal(out[5]?.matches, false);
  });

  test('batch mode reads a file and exits 0 when every line is valid', async () => {
    const r = await mesh(['selector', 'eval', '--batch', 'in.jsonl'], '', {
      'in.jsonl': '{"selector":"has(a)","labels":{"a":""}}',
    });
    assert.equal(r.code, 0);
    assert.equal((JSON.parse(r.stdout) as EvalLine).matches, true);
  });

  test('a missing batch file is an error with a next step', async () => {
    const r = await mesh(['selector', 'eval', '--batch', 'nope.jsonl']);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /cannot read nope.jsonl: no such file\nCheck the path, or pass - to read standard input/,
    );
  });
});

describe('framework', () => {
  const usageCases: [string, string[], RegExp][] = [
    [
      'unknown command',
      ['frobnicate'],
      /unknown command "frobnicate" for "kubectl mesh"\nSee 'kubectl mesh COMMAND --help'/,
    ],
    ['unknown subcommand', ['selector', 'nope'], /unknown command "nope" for "kubectl mesh selector"/],
    [
      'unknown flag',
      ['selector', 'validate', '--bogus', 'x'],
      /Unknown option '--bogus'[^]*Usage: kubectl mesh selector validate SELECTOR/,
    ],
    ['missing argument', ['selector', 'validate'], /expected SELECTOR, got 0 argument/],
    ['bad output format', ['selector', 'canonical', '-o', 'xml', 'all()'], /unsupported output format "xml"/],
    [
      'bad --labels',
      ['selector', 'eval', 'all()', '--labels', 'novalue'],
      /--labels: "novalue" is not key=value/,
    ],
    [
      'install --cluster-name over 63 characters',
      ['install', '--cluster-name', 'c'.repeat(64)],
      /--cluster-name: "c{64}" must be at most 63 characters/,
    ],
    [
      'install --cluster-name not a DNS label',
      ['install', '--cluster-name', 'East_1'],
      /--cluster-name: "East_1" /,
    ],
  ];
  for (const [name, argv, want] of usageCases) {
    test(`${name} exits 1 with a next step`, async () => {
      const r = await mesh(argv);
      assert.equal(r.code, 1);
      assert.match(r.stderr, want);
    });
  }

  test('help is generated from the command descriptions', async () => {
    const root = await mesh([]);
    assert.match(
      root.stdout,
      /Commands:\n(?: {2}\S.*\n)*? {2}selector {3,}Validate, normalise and evaluate selectors/,
    );
    const group = await mesh(['selector', '--help']);
    assert.match(group.stdout, /validate +Check that a selector is valid/);
    const cmd = await mesh(['selector', 'eval', '-h']);
    assert.match(cmd.stdout, /--parent-labels K=V,\.\.\. +Labels of one parent \(repeatable\)/);
    assert.match(cmd.stdout, /-n, --namespace NS/);
  });

  test('kubectl global flags are accepted by every command', async () => {
    const r = await mesh([
      'selector',
      'canonical',
      '--kubeconfig',
      '/dev/null',
      '--context',
      'c',
      '-n',
      'x',
      '-A',
      'has(a)',
    ]);
    assert.equal(r.code, 0, r.stderr);
  });
});
