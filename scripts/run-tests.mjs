#!/usr/bin/env node
// run-tests.mjs: runs fedmesh's tests with node:test (through tsx, on the TypeScript sources).
// Usage: node scripts/run-tests.mjs [FILE...]; with no files, every *.test.ts in the project.
// It builds (or reuses) the control-plane binaries first, so the first test does not pay for it,
// and (as root) installs the Debian packages real test nodes need.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const searched = ['api', 'openapi', 'core', 'apiserver', 'kubectl-plugin', 'node', 'test', 'bench'];
const skipDirs = new Set(['node_modules', 'dist', '.cache', '.fedmesh']);

function findTests(dir, out) {
  // Parts not started yet have no folder in a clone (git keeps no empty folders).
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (skipDirs.has(name)) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out;
}

const files = process.argv.slice(2);
const tests = files.length > 0 ? files : searched.flatMap((d) => findTests(join(root, d), [])).sort();

const cp = spawnSync(join(root, 'test/controlplane/build.sh'), {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
if (cp.status !== 0) {
  console.error('fedmesh: control-plane build failed (see above); tests need kube-apiserver and etcd');
  process.exit(1);
}
const env = { ...process.env, FEDMESH_CONTROLPLANE_BIN: cp.stdout.toString().trim() };

// Real-node tests need containerd, runc, the CNI plugins and busybox-static from Debian; as root
// (CI) install what is missing now, so no test pays for it. Without root those tests fail saying why.
const nodePackages = join(root, 'test/controlplane/node-packages.sh');
if (process.getuid?.() === 0 && spawnSync(nodePackages, ['--check'], { stdio: 'ignore' }).status !== 0) {
  const r = spawnSync(nodePackages, { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) {
    console.error('fedmesh: installing the node packages failed (see above); real-node tests need them');
    process.exit(1);
  }
}

console.error(`fedmesh: running ${tests.length} test files`);
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-timeout=600000', ...tests],
  { cwd: root, stdio: 'inherit', env },
);
process.exit(r.status ?? 1);
