// calico.ts: fedmesh's selector core beside Calico's own selector package on the same generated
// cases, in one run: parse with unique ID, and a match through each public API, timed per case;
// and agreement case by case (valid or not, unique ID, canonical form, match).
//   npm run bench -- calico [--reference PROGRAM] [--cases N] [--runs R]
// PROGRAM is a build of Calico's libcalico-go/lib/selector (not part of fedmesh) that answers
// `PROGRAM CASES OUT RUNS`: CASES is JSON lines {"s": selector, "l": labels}; it writes OUT, a JSON
// line per case ({"ok":true,"id","str","m"} or {"ok":false,"err"}), and prints its timings, in ns
// per case, as JSON ({"calico", "go", "parse", "evaluate", "evaluate_labels": {median,min,max}}).
// Without it, fedmesh's figures are printed alone.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Core, type Labels, type Selector } from '../core/index.js';
import { randomLabels, randomSelector, Rng } from '../test/support/selectorgen.js';
import { quantile } from './stats.js';
import { selectors as typicalSelectors } from './workload.js';

const { values } = parseArgs({
  options: {
    reference: { type: 'string' },
    cases: { type: 'string', default: '150000' },
    runs: { type: 'string', default: '7' },
  },
});

interface Case {
  s: string;
  l: Labels;
}
interface Answer {
  ok: boolean;
  id?: string;
  str?: string;
  m?: boolean;
  err?: string;
}
type Stats = { median: number; min: number; max: number };

// cases returns n cases: random selectors over the whole language (a tenth cut short, so
// invalid), policy-like selectors, and a few edge cases, each with random labels.
function cases(n: number): Case[] {
  const rng = new Rng(32);
  const typical = typicalSelectors(rng, 1000);
  const edges = ['', 'all()', '((((app == "web"))))', '!!!has(app)', 'app in {}', "a == '\u00e9\u6f22'"];
  return Array.from({ length: n }, (_, i) => {
    let s: string;
    if (i < edges.length) s = edges[i]!;
    else if (i % 3 === 0) s = typical[rng.int(typical.length)]!;
    else {
      s = randomSelector(rng);
      if (rng.int(10) === 0) s = s.slice(0, rng.int(s.length));
    }
    const l: Record<string, string> = randomLabels(rng);
    if (i % 3 === 0) Object.assign(l, { app: `app${rng.int(50)}`, tier: rng.pick(['api', 'db', 'web']) });
    return { s, l };
  });
}

// timed returns ns per case of fn over every case, for each of runs runs (after a collection).
function timed(runs: number, count: number, fn: () => void): number[] {
  const gc = (globalThis as { gc?: () => void }).gc;
  return Array.from({ length: runs }, () => {
    gc?.();
    const t = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t) / count;
  });
}

function answersOf(core: Core, all: readonly Case[]): Answer[] {
  return all.map((c) => {
    try {
      const sel = core.parse(c.s);
      const a = { ok: true, id: sel.uniqueID, str: sel.canonical, m: sel.matches(c.l) };
      sel.dispose();
      return a;
    } catch (err) {
      return { ok: false, err: (err as Error).message };
    }
  });
}

/** ours times fedmesh on the cases as the reference times Calico. */
function ours(core: Core, all: readonly Case[], runs: number): Record<string, number[]> {
  const parseAll = (withID: boolean) => () => {
    for (const c of all) {
      try {
        const sel = core.parse(c.s);
        if (withID) void sel.uniqueID;
        sel.dispose();
      } catch {
        // counted like a valid case: Calico's time includes its errors too
      }
    }
  };
  // Parsing is timed first, with no selector held (the core's collections cost what it holds).
  const parse = timed(runs, all.length, parseAll(false));
  const parseUID = timed(runs, all.length, parseAll(true));
  const valid: { sel: Selector; l: Labels }[] = [];
  for (const c of all) {
    try {
      valid.push({ sel: core.parse(c.s), l: c.l });
    } catch {
      // invalid: not matched
    }
  }
  const sets = valid.map((v) => core.labelSet(v.l));
  let hits = 0;
  const out = {
    parse,
    parse_uid: parseUID,
    match: timed(runs, valid.length, () => {
      for (const v of valid) if (v.sel.matches(v.l)) hits++;
    }),
    match_set: timed(runs, valid.length, () => {
      for (let i = 0; i < valid.length; i++) if (valid[i]!.sel.matches(sets[i]!)) hits++;
    }),
    match_batch: timed(runs, valid.length, () => {
      hits += core.matchPairs(
        valid.map((v) => v.sel),
        sets,
      ).length;
    }),
  };
  for (const v of valid) v.sel.dispose();
  for (const s of sets) s.dispose();
  if (hits < 0) console.log(hits);
  return out;
}

function compare(mine: readonly Answer[], theirs: readonly Answer[], all: readonly Case[]): void {
  const diff: Record<string, number> = { validity: 0, id: 0, canonical: 0, match: 0 };
  const examples: string[] = [];
  mine.forEach((a, i) => {
    const b = theirs[i]!;
    const kinds =
      a.ok !== b.ok
        ? ['validity']
        : !a.ok
          ? []
          : [a.id !== b.id && 'id', a.str !== b.str && 'canonical', a.m !== b.m && 'match'].filter(Boolean);
    for (const k of kinds as string[]) diff[k]!++;
    if (kinds.length > 0 && examples.length < 8)
      examples.push(
        `  ${JSON.stringify(all[i]!.s)} ${JSON.stringify(all[i]!.l)}: fedmesh ${JSON.stringify(a)}, Calico ${JSON.stringify(b)}`,
      );
  });
  const same = mine.filter((a, i) => {
    const b = theirs[i]!;
    return a.ok === b.ok && (!a.ok || (a.id === b.id && a.str === b.str && a.m === b.m));
  }).length;
  console.log(
    `\nagreement with Calico: ${same} of ${mine.length} cases (${((100 * same) / mine.length).toFixed(3)}%); ` +
      `differing: validity ${diff.validity}, unique ID ${diff.id}, canonical form ${diff.canonical}, match ${diff.match}`,
  );
  if (examples.length > 0) console.log(examples.join('\n'));
}

const cell = (xs: number[]): string =>
  `${quantile(xs, 0.5).toFixed(0)} (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`;
const refCell = (s: Stats | undefined): string =>
  s ? `${s.median.toFixed(0)} (${s.min.toFixed(0)}-${s.max.toFixed(0)})` : '-';

type Reference = Record<string, Stats> & { calico?: string; go?: string };

// reference runs the reference program on the cases: its timings and its answers.
function reference(
  program: string,
  all: readonly Case[],
  runs: number,
): { ref: Reference; theirs: Answer[] } {
  const dir = mkdtempSync(join(tmpdir(), 'fedmesh-calico-'));
  try {
    writeFileSync(join(dir, 'cases.jsonl'), all.map((c) => JSON.stringify(c)).join('\n') + '\n');
    console.error(`timing the reference ${program}...`);
    const r = spawnSync(program, [join(dir, 'cases.jsonl'), join(dir, 'out.jsonl'), String(runs)], {
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    if (r.status !== 0)
      throw new Error(`the reference failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}`);
    const theirs = readFileSync(join(dir, 'out.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Answer);
    return { ref: JSON.parse(r.stdout) as Reference, theirs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const n = Number(values.cases);
  const runs = Number(values.runs);
  const all = cases(n);
  const core = Core.load();
  console.error(`${n} cases, ${runs} runs each; timing fedmesh...`);
  const mine = ours(core, all, runs);
  const { ref, theirs } = values.reference
    ? reference(values.reference, all, runs)
    : { ref: {} as Reference };
  const rows: [string, number[], Stats | undefined, string][] = [
    ['parse (fedmesh: canonical form; Calico: also its unique ID)', mine.parse!, ref.parse, 'Parse'],
    ['parse and unique ID', mine.parse_uid!, ref.parse, 'Parse (the ID is made in it)'],
    ['match, labels as a map', mine.match!, ref.evaluate, 'Evaluate(map)'],
    [
      'match, labels prepared once (labelSet)',
      mine.match_set!,
      ref.evaluate_labels,
      'EvaluateLabels(uniquelabels)',
    ],
    [
      'match, all pairs in one call (matchPairs)',
      mine.match_batch!,
      ref.evaluate_labels,
      'EvaluateLabels(uniquelabels)',
    ],
  ];
  const head = [
    'ns per case',
    'fedmesh: median (min-max)',
    'Calico: median (min-max)',
    'ratio',
    'Calico call',
  ];
  const body = rows.map(([name, m, r, call]) => [
    name,
    cell(m),
    refCell(r),
    r ? `${(quantile(m, 0.5) / r.median).toFixed(2)}x` : '-',
    call,
  ]);
  const w = head.map((_, i) => Math.max(...[head, ...body].map((row) => row[i]!.length)));
  console.log(
    ref.calico
      ? `Calico ${ref.calico} (${ref.go ?? 'Go'}) beside fedmesh, ${n} cases`
      : `fedmesh alone, ${n} cases (no --reference)`,
  );
  for (const row of [head, ...body]) console.log(row.map((c, i) => c.padEnd(w[i]! + 2)).join(''));
  if (theirs) compare(answersOf(core, all), theirs, all);
}

main();
