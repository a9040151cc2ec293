#!/usr/bin/env node
// demo.mjs: `npm run demo [-- run|up|down|status]`. run and up build first (npm run build); down
// and status act at once, so stopping a demo never waits for a compile. Signals reach the demo:
// Ctrl-C goes to the whole foreground process group, SIGTERM and SIGHUP are passed on.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (['run', 'up'].includes(args[0] ?? 'run')) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const build = spawnSync(npm, ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.error('demo: npm run build failed (see above)');
    process.exit(build.status ?? 1);
  }
}
const main = join(root, 'dist/test/demo/main.js');
if (!existsSync(main)) {
  // Never built in this checkout, so no demo of it can run.
  console.log('fedmesh demo: not running (start it with: npm run demo -- up)');
  process.exit(0);
}
const demo = spawn(process.execPath, [main, ...args], { stdio: 'inherit' });
process.on('SIGINT', () => undefined); // the demo got it too, and stops
for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, () => demo.kill(sig));
demo.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
