// demo.test.ts: `npm run demo -- up|status|down` and a Ctrl-C'd foreground `npm run demo` leave
// a working mesh while they run and nothing once they stop.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubectlOk } from '../harness/kubectl.js';
import { packageRoot } from '../harness/root.js';
import { waitFor } from '../harness/wait.js';
import type { DemoState } from './state.js';

let dir: string;
const env = (): NodeJS.ProcessEnv => ({ ...process.env, FEDMESH_DEMO_DIR: dir });

function npmDemo(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'demo', '--', ...args],
      { cwd: packageRoot(), env: env() },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const state = (): DemoState => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as DemoState;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

function assertAllGone(s: DemoState): void {
  for (const p of [{ name: 'demo', pid: s.pid }, ...(s.processes ?? [])]) {
    assert.equal(alive(p.pid), false, `${p.name} (pid ${p.pid}) still running`);
  }
  for (const c of s.clusters) assert.equal(existsSync(c.kubeconfig), false, `${c.kubeconfig} left behind`);
  assert.equal(existsSync(join(dir, 'controlplane')), false, 'control-plane folder left behind');
}

describe('npm run demo', () => {
  before(() => (dir = mkdtempSync(join(tmpdir(), 'fedmesh-demo-'))));
  after(async () => {
    await npmDemo('down');
    rmSync(dir, { recursive: true, force: true });
  });

  it('up starts two clusters that kubectl reaches; status and down follow', async () => {
    const upRun = await npmDemo('up');
    assert.equal(upRun.code, 0, upRun.stderr);
    const kcA = join(dir, 'cluster-a.kubeconfig');
    assert.ok(upRun.stdout.includes(kcA), upRun.stdout);
    assert.ok(upRun.stdout.includes(join(dir, 'cluster-b.kubeconfig')), upRun.stdout);
    assert.match(await kubectlOk(kcA, ['get', 'ns']), /^default\s+Active/m);
    // fedmesh is installed (local mode) with sample workloads.
    const feps = await kubectlOk(kcA, ['get', 'federatedendpoints', '-n', 'shop', '-o', 'name']);
    assert.match(feps, /federatedendpoint\.federated\.mesh\/cluster-a\.frontend-0/);
    const kcB = join(dir, 'cluster-b.kubeconfig');
    assert.match(await kubectlOk(kcB, ['get', 'fhep', '-o', 'name']), /cluster-b\.cluster-b-node-1/);
    // kubectl mesh demo connected both ways: each cluster lists the other's pods and reports it Synced.
    assert.match(await kubectlOk(kcA, ['get', 'fep', '-A', '-o', 'name']), /cluster-b\.db-0/);
    assert.match(await kubectlOk(kcB, ['get', 'fep', '-A', '-o', 'name']), /cluster-a\.frontend-0/);
    const synced = '{.status.conditions[?(@.type=="Synced")].status}';
    assert.equal(await kubectlOk(kcA, ['get', 'rcc', 'cluster-b', '-o', `jsonpath=${synced}`]), 'True');
    assert.equal(await kubectlOk(kcB, ['get', 'rcc', 'cluster-a', '-o', `jsonpath=${synced}`]), 'True');
    assert.match(await kubectlOk(kcA, ['get', 'svc', '-n', 'shop', 'db-global', '-o', 'name']), /db-global/);

    const s = state();
    assert.equal(s.processes?.length, 5, 'etcd, 2 kube-apiservers, 2 kube-controller-managers');
    const st = await npmDemo('status');
    assert.match(st.stdout, /fedmesh demo: ready/);
    assert.doesNotMatch(st.stdout, /NOT RUNNING/);

    const downRun = await npmDemo('down');
    assert.equal(downRun.code, 0, downRun.stderr);
    assertAllGone(s);
    assert.match((await npmDemo('status')).stdout, /not running/);
  });

  it('foreground run stops everything on Ctrl-C (SIGINT to its process group)', async () => {
    // detached: a process group of its own, like a shell job; Ctrl-C signals the whole group.
    const child = spawn('npm', ['run', '--silent', 'demo'], {
      cwd: packageRoot(),
      env: env(),
      detached: true,
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((r) => child.once('exit', r));
    await waitFor(
      'demo ready',
      async () => existsSync(join(dir, 'state.json')) && state().phase === 'ready',
      {
        timeoutMs: 180_000,
        intervalMs: 250,
      },
    );
    const s = state();
    process.kill(-child.pid!, 'SIGINT');
    await exited;
    await waitFor('demo process gone', async () => !alive(s.pid), { timeoutMs: 30_000 });
    assertAllGone(s);
  });
});
