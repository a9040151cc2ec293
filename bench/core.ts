// core.ts: benchmarks of the WASM core (npm run bench -- core [--endpoints N] [--selectors N]
// [--changes N] [--addresses N] [--values N]).
// Prints one table: parse and match time, the label index at mesh scale, and the CIDR cover of
// 1M addresses, what interned label values keep, each beside a baseline measured in the same run.
import { parseArgs } from 'node:util';
import { Core } from '../core/index.js';
import { Rng } from '../test/support/selectorgen.js';
import { fmtCount, indexBench, internRow } from './core-index.js';
import type { Row } from './stats.js';
import { printTable, repeat, time } from './stats.js';
import { selectors } from './workload.js';
import { cidrBench } from './core-cidr.js';

const { values } = parseArgs({
  options: {
    endpoints: { type: 'string', default: '1000000' },
    selectors: { type: 'string', default: '1000' },
    changes: { type: 'string', default: '20000' },
    addresses: { type: 'string', default: '1000000' },
    values: { type: 'string', default: '1000000' },
  },
});

const RUNS = 7;
const core = Core.load();
const typical = selectors(new Rng(5), 100);

// parseRow times parsing typical selectors (parse, canonical string, release) per selector.
function parseRow(): Row {
  const n = 20_000;
  const per = (fn: (s: string) => void) => () =>
    (time(() => {
      for (let i = 0; i < n; i++) fn(typical[i % typical.length]!);
    }) *
      1e3) /
    n;
  return {
    name: 'parse a typical selector',
    unit: 'us',
    ours: repeat(
      RUNS,
      per((s) => core.parse(s).dispose()),
    ),
    base: repeat(
      RUNS,
      per((s) => JSON.parse(JSON.stringify({ selector: s, labels: { app: s } })) as unknown),
    ),
    baseline: 'JSON round trip of the selector (cost floor of handling it in JS)',
  };
}

// matchRow times one selector against one endpoint with parents through the public API.
function matchRow(): Row {
  const n = 20_000;
  const labels = { app: 'app7', tier: 'api', version: 'v2', 'federated.mesh/cluster': 'c1' };
  const parents = [{ 'pcns.team': 'team3' }];
  const prepared = typical.map((s) => core.parse(s));
  const per = (fn: (i: number) => void) => () =>
    (time(() => {
      for (let i = 0; i < n; i++) fn(i % typical.length);
    }) *
      1e3) /
    n;
  const row: Row = {
    name: 'match a typical selector (API call)',
    unit: 'us',
    ours: repeat(
      RUNS,
      per((i) => prepared[i]!.matches(labels, parents)),
    ),
    base: repeat(
      RUNS,
      per((i) => core.matches(typical[i]!, labels, parents)),
    ),
    baseline: 'parse the selector again for every match',
  };
  prepared.forEach((p) => p.dispose());
  return row;
}

const rows = [parseRow(), matchRow()];
rows.push(cidrBench(core, Number(values.addresses), RUNS));
console.error(
  `building the index: ${fmtCount(Number(values.endpoints))} endpoints, ${values.selectors} selectors...`,
);
rows.push(...indexBench(Number(values.endpoints), Number(values.selectors), Number(values.changes)));
rows.push(internRow(Number(values.values)));
printTable(rows);
