#!/usr/bin/env node
// fedmesh-node: the node agent (VXLAN overlay, masquerade exemption, CNI socket). Runs dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const main = new URL('../../dist/node/agent/main.js', import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  console.error('error: fedmesh-node is not built; run `npm run build` in the fedmesh checkout');
  process.exit(1);
}
const mod = await import(main.href);
process.exitCode = await mod.main(process.argv.slice(2));
