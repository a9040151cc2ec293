// kubectl.test.ts: the built kubectl-mesh runs as a real kubectl plugin found on PATH.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The README's instructions: kubectl-plugin/bin on PATH, nothing else.
const dir = fileURLToPath(new URL('./bin', import.meta.url));

function kubectl(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` };
  const r = spawnSync('kubectl', args, { env, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`cannot run kubectl (is it installed and on PATH?): ${r.error.message}`);
  return r;
}

test('kubectl plugin list shows kubectl-mesh on PATH, without warnings', () => {
  const r = kubectl('plugin', 'list');
  assert.match(r.stdout, new RegExp(`^${dir}/kubectl-mesh$`, 'm'));
  assert.doesNotMatch(r.stdout + r.stderr, /warning|kubectl-mesh\.js/i);
});

test('kubectl mesh selector validate: exit 1 and a caret under the error', () => {
  const r = kubectl('mesh', 'selector', 'validate', 'app == "web" &&& has(x)');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /error: invalid selector at position 15: expected '&&'/);
  assert.match(r.stderr, /\n {2}app == "web" &&& has\(x\)\n {17}\^\n/);
});

test('kubectl mesh selector canonical prints the canonical form and unique ID', () => {
  const r = kubectl('mesh', 'selector', 'canonical', '-o', 'json', '');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    canonical: 'all()',
    uniqueID: 's:5y5I3VdRZfDU01O--xXAPx2yxCQQqMf0M6IWug',
  });
});
