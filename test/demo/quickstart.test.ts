// quickstart.test.ts: the README's quick start and plugin instructions, word for word, in a fresh
// clone with an empty control-plane cache (the Go module and build caches may be warm):
// `npm run demo -- up` builds what it needs and gets ready, every command the demo prints under
// "Try:" exits 0 pasted as printed, `npm link` puts kubectl-mesh on PATH, and `npm run demo -- down`
// leaves no process, builds included.
// It reports the cold and warm `npm run demo -- up` times.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packageRoot } from '../harness/root.js';
import { waitFor } from '../harness/wait.js';
import type { DemoState } from './state.js';

const root = packageRoot();
const README = readFileSync(join(root, 'README.md'), 'utf8');
const MINUTE = 60_000;

/** readmeLine returns the README's code line that starts with prefix (failing when it has none). */
function readmeLine(prefix: string): string {
  const line = README.split('\n').find((l) => l.startsWith(prefix));
  assert.ok(line, `the README has no line starting with ${prefix}`);
  return line;
}

/** freshClone clones this checkout with its uncommitted changes (what a commit of it would be). */
function freshClone(into: string): void {
  execFileSync('git', ['clone', '--quiet', '--no-hardlinks', root, into]);
  const diff = execFileSync('git', ['diff', 'HEAD', '--binary'], { cwd: root });
  if (diff.length > 0) execFileSync('git', ['apply', '--allow-empty'], { cwd: into, input: diff });
  const untracked = execFileSync('git', ['ls-files', '--others', '--exclude-standard', '-z'], { cwd: root })
    .toString()
    .split('\0')
    .filter(Boolean);
  for (const f of untracked) cpSync(join(root, f), join(into, f));
}

/** uses lists the processes whose command line or working folder lies under one of dirs. */
function uses(dirs: string[]): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid)) {
    try {
      if (/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) continue;
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (dirs.some((d) => cmd.includes(d) || cwd.startsWith(d))) found.push(`${pid} ${cmd.slice(0, 160)}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe('the README quick start in a fresh clone, with an empty control-plane cache', () => {
  let clone: string;
  let cache: string;
  let env: NodeJS.ProcessEnv;
  const sh = (
    script: string,
    timeoutMs = 10 * MINUTE,
  ): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn('sh', ['-c', script], { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code: code ?? 1, stdout, stderr });
      });
    });
  const state = (): DemoState | undefined => {
    const f = join(clone, '.fedmesh/demo/state.json');
    return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as DemoState) : undefined;
  };

  // useEmptyCache points the demo at a new, empty control-plane cache folder.
  const caches: string[] = [];
  const useEmptyCache = (): void => {
    cache = mkdtempSync(join(tmpdir(), 'fedmesh-cache-'));
    caches.push(cache);
    env = { ...env, FEDMESH_CONTROLPLANE_CACHE: cache };
  };

  before(() => {
    clone = mkdtempSync(join(tmpdir(), 'fedmesh-clone-'));
    freshClone(clone);
    env = { ...process.env };
    for (const k of ['FEDMESH_CONTROLPLANE_BIN', 'KUBEBUILDER_ASSETS', 'FEDMESH_DEMO_DIR', 'KUBECONFIG'])
      delete env[k];
    useEmptyCache();
  });
  after(async () => {
    if (clone) await sh(readmeLine('npm run demo -- down'));
    rmSync(clone, { recursive: true, force: true });
    for (const c of caches) rmSync(c, { recursive: true, force: true });
  });

  it(
    'up builds and gets ready, every Try: command works as printed, down leaves nothing',
    { timeout: 40 * MINUTE },
    async (t) => {
      const started = Date.now();
      const cold = await sh(readmeLine('npm run demo -- up'), 40 * MINUTE);
      const coldSeconds = Math.round((Date.now() - started) / 1000);
      assert.equal(cold.code, 0, cold.stderr.slice(-5000));
      assert.match(cold.stderr, /build\.sh: compiling kube-apiserver/, 'build progress shown');
      const tries = cold.stdout
        .slice(cold.stdout.indexOf('\nTry'))
        .split('\n')
        .slice(2)
        .map((l) => l.trim())
        .filter(Boolean);
      assert.match(tries[0]!, /^export PATH=/);
      for (const cmd of tries.slice(1)) {
        const r = await sh(`${tries[0]}\n${cmd}`);
        assert.equal(r.code, 0, `${cmd}\n${r.stdout}\n${r.stderr}`);
      }
      // The README's plugin instructions, in the same clone.
      const list = await sh(
        `${readmeLine('export PATH="$PWD/kubectl-plugin/bin:$PATH"')}\nkubectl plugin list`,
      );
      assert.match(list.stdout, new RegExp(`^${clone}/kubectl-plugin/bin/kubectl-mesh$`, 'm'));
      assert.doesNotMatch(list.stdout + list.stderr, /warning/i);
      // The README's other way, npm link, into a temporary npm prefix rather than the machine's.
      const prefix = mkdtempSync(join(tmpdir(), 'fedmesh-npm-prefix-'));
      caches.push(prefix);
      const linked = await sh(
        `export npm_config_prefix=${prefix}\n${readmeLine('npm link')}\nPATH=${prefix}/bin:$PATH kubectl plugin list`,
      );
      assert.equal(linked.code, 0, linked.stderr);
      assert.match(linked.stdout, new RegExp(`^${prefix}/bin/kubectl-mesh$`, 'm'));
      assert.doesNotMatch(linked.stdout + linked.stderr, /warning/i);

      assert.equal((await sh(readmeLine('npm run demo -- down'))).code, 0);
      assert.deepEqual(uses([clone, ...caches]), [], 'processes left after down');

      const again = Date.now();
      const warm = await sh(readmeLine('npm run demo -- up'));
      const warmSeconds = Math.round((Date.now() - again) / 1000);
      assert.equal(warm.code, 0, warm.stderr.slice(-5000));
      assert.equal((await sh(readmeLine('npm run demo -- down'))).code, 0);
      assert.deepEqual(uses([clone, ...caches]), [], 'processes left after down');
      const build = /building the control-plane binaries: done in (\S+)/.exec(cold.stderr)?.[1];
      t.diagnostic(
        `npm run demo -- up: cold ${coldSeconds}s (fresh clone: npm ci, npm run build, control-plane build ${build}), warm ${warmSeconds}s`,
      );
    },
  );

  it('down during the first build stops the build whole', { timeout: 20 * MINUTE }, async () => {
    useEmptyCache(); // the clone is installed and built by now; its control planes are not
    const upRun = sh(readmeLine('npm run demo -- up'), 20 * MINUTE);
    await waitFor('the control-plane build to run', async () => state()?.build !== undefined, {
      timeoutMs: 15 * MINUTE,
      intervalMs: 500,
    });
    await waitFor(
      'go to compile into the cache',
      async () => uses([cache]).some((p) => / go build /.test(p)),
      {
        timeoutMs: 5 * MINUTE,
        intervalMs: 200,
      },
    );
    const downRun = await sh(readmeLine('npm run demo -- down'));
    assert.equal(downRun.code, 0, downRun.stderr);
    const upResult = await upRun;
    assert.equal(upResult.code, 1);
    assert.match(upResult.stderr, /building the control-plane binaries: started/);
    assert.match(upResult.stderr, /demo: failed: the demo stopped before it was ready/);
    assert.deepEqual(uses([clone, ...caches]), [], 'processes left after down');
  });

  it(
    'up gives up on a build that stalls, says what stalled and what to run, and leaves nothing',
    {
      timeout: 10 * MINUTE,
    },
    async () => {
      useEmptyCache();
      // A go that neither prints nor computes: the control-plane build stalls in its module download.
      const bin = mkdtempSync(join(tmpdir(), 'fedmesh-stalled-go-'));
      caches.push(bin);
      writeFileSync(join(bin, 'go'), '#!/bin/sh\nexec sleep 3600\n', { mode: 0o755 });
      const saved = env;
      env = { ...env, PATH: `${bin}:${env.PATH}`, FEDMESH_DEMO_STALL_SECONDS: '5' };
      try {
        const r = await sh(readmeLine('npm run demo -- up'), 8 * MINUTE);
        assert.equal(r.code, 1, r.stderr.slice(-3000));
        assert.match(
          r.stderr,
          /demo: failed: no progress for \d+ s while building the control-plane binaries/,
        );
        assert.match(r.stderr, /run `npm run demo -- up` again/);
        assert.deepEqual(uses([clone, ...caches]), [], 'processes left after giving up');
        assert.match((await sh('npm run demo -- status')).stdout, /fedmesh demo: not running/);
      } finally {
        env = saved;
      }
    },
  );
});
