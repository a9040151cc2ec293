#!/usr/bin/env node
// run-bench.mjs: npm run bench -- NAME [ARGS...] runs bench/NAME.ts as compiled (dist/bench/NAME.js,
// brought up to date first: the code measured is the code shipped, not a transpiled-on-load copy,
// whose added wrappers cost up to twice the time in hot loops), with --expose-gc so memory figures
// are measured after a collection; without NAME it lists the benchmarks.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const benchDir = join(root, 'bench');
// A benchmark is a top-level bench/*.ts file that is not a helper: helpers are stats/workload and
// NAME-part.ts files of a benchmark NAME (core-index.ts belongs to core.ts; selector-worst.ts stands alone).
const helpers = new Set(['stats', 'workload']);
const names = readdirSync(benchDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => f.slice(0, -3));
const available = names
  .filter((n) => !helpers.has(n) && !(n.includes('-') && names.includes(n.split('-')[0])))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || !existsSync(join(benchDir, `${name}.ts`))) {
  if (name) console.error(`fedmesh: no benchmark named ${JSON.stringify(name)}`);
  console.error(`usage: npm run bench -- NAME [ARGS...]\navailable benchmarks: ${available.join(', ')}`);
  process.exit(name ? 1 : 0);
}
if (!existsSync(join(root, 'dist', 'core.wasm'))) {
  console.error('fedmesh: dist/core.wasm is missing; run `npm run build` first');
  process.exit(1);
}
const tsc = spawnSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) {
  console.error('fedmesh: the TypeScript build failed; fix the errors above and run the benchmark again');
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ['--expose-gc', '--max-old-space-size=8192', join(root, 'dist', 'bench', `${name}.js`), ...args],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
process.exit(r.status ?? 1);
