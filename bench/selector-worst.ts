// selector-worst.ts: the cost of hostile selectors (npm run bench -- selector-worst [--endpoints N]).
// For OR, AND and nested shapes from 1 KB up to the size limit it prints parse time (parse,
// canonical form, unique ID), review time against an index of N endpoints, the longest stretch the
// review held the thread between yields, and the core's memory growth; beside a typical selector
// and a JSON round trip of the same text (linear work) measured in the same run. Near-linear cost
// shows as a steady parse/JSON ratio down each shape.
import { parseArgs } from 'node:util';
import { Core } from '../core/index.js';
import { Rng } from '../test/support/selectorgen.js';
import { quantile, repeat, time } from './stats.js';
import { endpoint, parents } from './workload.js';

const { values } = parseArgs({ options: { endpoints: { type: 'string', default: '10000' } } });
const ENDPOINTS = Number(values.endpoints);
const RUNS = 5;

type Shape = (i: number) => string;
// Each shape builds a selector of n terms; term(i) is the i-th leaf.
const shapes: Record<string, { term: Shape; join: (ts: string[]) => string }> = {
  typical: { term: () => 'app == "app7" && tier in {"api", "db"}', join: (ts) => ts[0]! },
  'or, one label': { term: (i) => `app == "app${i}"`, join: (ts) => ts.join(' || ') },
  'or, many labels': { term: (i) => `k${i} == "v"`, join: (ts) => ts.join(' || ') },
  and: { term: (i) => `tier != "t${i}"`, join: (ts) => ts.join(' && ') },
  nested: { term: (i) => `k${i % 97} == "v${i}"`, join: nest },
};

// nest joins terms into a balanced tree of parenthesised groups, && and || alternating by level.
function nest(ts: string[], level = 0): string {
  if (ts.length <= 2) return `(${ts.join(level % 2 ? ' && ' : ' || ')})`;
  const mid = ts.length >> 1;
  const op = level % 2 ? ' && ' : ' || ';
  return `(${nest(ts.slice(0, mid), level + 1)}${op}${nest(ts.slice(mid), level + 1)})`;
}

// sized returns the selector of a shape closest to `bytes` long within the core's limits.
function sized(core: Core, shape: (typeof shapes)[string], bytes: number): string {
  const { maxBytes, maxTerms } = core.limits;
  const per = shape.join([shape.term(1), shape.term(2)]).length / 2;
  let n = Math.max(1, Math.min(maxTerms, Math.floor(bytes / per)));
  let src = shape.join(Array.from({ length: n }, (_, i) => shape.term(i)));
  while (Buffer.byteLength(src) > maxBytes) {
    n = Math.floor(n * 0.98);
    src = shape.join(Array.from({ length: n }, (_, i) => shape.term(i)));
  }
  return src;
}

function newIndex(core: Core) {
  const ix = core.newIndex({ recordEvents: false });
  ix.upsertParents(parents());
  const rng = new Rng(1);
  ix.upsertEndpoints(Array.from({ length: ENDPOINTS }, (_, i) => endpoint(rng, i)));
  return ix;
}

interface Figures {
  parse: number[];
  review: number[];
  longestStep: number;
  memMB: number;
  json: number[];
  matches: number;
}

async function measure(src: string): Promise<Figures> {
  const core = Core.load(); // a fresh instance, so its memory growth is this selector's peak
  const ix = newIndex(core);
  const mem0 = core.stats().memoryBytes;
  const parse = repeat(RUNS, () => time(() => core.parse(src).dispose()));
  const s = core.parse(src);
  let longestStep = 0;
  let matches = 0;
  const review: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    let last = performance.now();
    const pause = (): Promise<void> => {
      longestStep = Math.max(longestStep, performance.now() - last);
      return new Promise((resolve) =>
        setImmediate(() => {
          last = performance.now();
          resolve();
        }),
      );
    };
    const t = performance.now();
    matches = (await ix.review(s, { pause })).length;
    longestStep = Math.max(longestStep, performance.now() - last);
    review.push(performance.now() - t);
  }
  s.dispose();
  const memMB = (core.stats().memoryBytes - mem0) / 2 ** 20;
  const json = repeat(RUNS, () =>
    time(() => JSON.parse(JSON.stringify({ spec: { selector: src } })) as unknown),
  );
  return { parse, review, longestStep, memMB, json, matches };
}

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const cell = (xs: number[]): string =>
  `${fmt(quantile(xs, 0.5))} (${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))})`;

async function main(): Promise<void> {
  const core = Core.load();
  const { maxBytes, maxTerms } = core.limits;
  console.log(`selector limits: ${maxBytes} bytes, ${maxTerms} terms; index: ${ENDPOINTS} endpoints`);
  const head = [
    'shape',
    'KB',
    'terms',
    'parse ms',
    'review ms',
    'longest step ms',
    'core MB',
    'JSON ms',
    'parse/JSON',
    'matches',
  ];
  const rows: string[][] = [head];
  for (const [name, shape] of Object.entries(shapes)) {
    const sizes = name === 'typical' ? [0] : [1, 4, 16, 64, 256].map((k) => k * 1024);
    for (const bytes of sizes) {
      const src = name === 'typical' ? shape.join([shape.term(0)]) : sized(core, shape, bytes);
      const terms = (src.match(/==|!=| in |has\(/g) ?? []).length;
      const f = await measure(src);
      const ratio = quantile(f.parse, 0.5) / Math.max(quantile(f.json, 0.5), 1e-6);
      rows.push([
        name,
        (Buffer.byteLength(src) / 1024).toFixed(1),
        String(terms),
        cell(f.parse),
        cell(f.review),
        fmt(f.longestStep),
        fmt(f.memMB),
        cell(f.json),
        `${fmt(ratio)}x`,
        String(f.matches),
      ]);
    }
  }
  const w = head.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  for (const r of rows)
    console.log(
      r
        .map((c, i) => c.padEnd(w[i]! + 2))
        .join('')
        .trimEnd(),
    );
}

await main();
