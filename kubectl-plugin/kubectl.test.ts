// kubectl.test.ts: the built kubectl-mesh runs as a real kubectl plugin found on PATH.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('./bin/kubectl-mesh.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'kubectl-mesh-'));
symlinkSync(bin, join(dir, 'kubectl-mesh'));
after(() => rmSync(dir, { recursive: true, force: true }));

function kubectl(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` };
  const r = spawnSync('kubectl', args, { env, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw new Error(`cannot run kubectl (is it installed and on PATH?): ${r.error.message}`);
  return r;
}

test('kubectl finds the plugin on PATH', () => {
  const r = kubectl('plugin', 'list');
  assert.match(r.stdout, /kubectl-mesh/);
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
