#!/usr/bin/env node
// kubectl-mesh: the fedmesh kubectl plugin (`kubectl mesh ...`). Runs the compiled CLI in dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../../dist/kubectl-plugin/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('error: kubectl-mesh is not built; run `npm run build` in the fedmesh checkout');
  process.exit(1);
}
const { run } = await import(main.href);
process.exitCode = await run(process.argv.slice(2));
