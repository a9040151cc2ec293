#!/usr/bin/env node
// fedmesh-cni: the chained CNI plugin and its installer. Runs the compiled code in dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../../dist/node/cni/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stdout.write(
    JSON.stringify({ cniVersion: '1.1.0', code: 5, msg: 'fedmesh-cni is not built; run `npm run build`' }),
  );
  process.exit(1);
}
const mod = await import(main.href);
process.exitCode = await mod.main(process.argv.slice(2));
