#!/usr/bin/env node
// ensure-deps.mjs: runs `npm ci` when node_modules does not match package-lock.json, so that
// `npm test` and `npm run demo` work on a fresh clone. Idempotent: a matching tree costs one hash.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.fedmesh-lock-sha256');

const want = createHash('sha256').update(readFileSync(lock)).digest('hex');
const have = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
if (want !== have) {
  console.error('fedmesh: installing npm dependencies (npm ci)');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('fedmesh: npm ci failed; check network access to the npm registry and retry');
    process.exit(r.status ?? 1);
  }
  writeFileSync(stamp, want + '\n');
}
