#!/usr/bin/env node
// build-cni.mjs: builds fedmesh-cni as a standalone executable (a Node single executable
// application) into .cache/dist/fedmesh-cni (gitignored), so the plugin runs on hosts that have no
// Node (docs/adr/0006-node-dataplane-ownership.md): esbuild bundles node/cni into one CommonJS
// file, `node --experimental-sea-config` makes it a blob, postject injects the blob into a copy of
// the running node binary. Prints the executable's path. Usage: npm run build:cni
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.cache/dist');
const exe = join(out, 'fedmesh-cni');
mkdirSync(out, { recursive: true });
// Builds may run side by side (tests, an image build): each works in its own folder and the
// executable appears whole, by rename.
const work = mkdtempSync(join(out, '.fedmesh-cni-'));
try {
  await build({
    entryPoints: [join(root, 'node/cni/standalone.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    outfile: join(work, 'fedmesh-cni.cjs'),
    logLevel: 'warning',
  });
  const config = join(work, 'fedmesh-cni.sea.json');
  writeFileSync(
    config,
    JSON.stringify({
      main: join(work, 'fedmesh-cni.cjs'),
      output: join(work, 'fedmesh-cni.blob'),
      disableExperimentalSEAWarning: true,
      useCodeCache: true,
    }),
  );
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'pipe' });
  const tmp = join(work, 'fedmesh-cni');
  copyFileSync(process.execPath, tmp);
  chmodSync(tmp, 0o755);
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/postject/dist/cli.js'),
      tmp,
      'NODE_SEA_BLOB',
      join(work, 'fedmesh-cni.blob'),
      '--sentinel-fuse',
      'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
    ],
    { stdio: 'pipe' }, // postject warns about ELF note names it does not know; harmless
  );
  renameSync(tmp, exe);
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(exe);
