// demo.test.ts: `npm run demo -- up|status|down` and a Ctrl-C'd foreground `npm run demo` leave
// a working mesh while they run and nothing once they stop.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubectlOk } from '../harness/kubectl.js';
import { podGet } from '../harness/nodes/pods.js';
import { nodesUnavailable } from '../harness/nodes/prerequisites.js';
import { packageRoot } from '../harness/root.js';
import { waitFor } from '../harness/wait.js';
import type { DemoState } from './state.js';

let dir: string;
const env = (): NodeJS.ProcessEnv => ({ ...process.env, FEDMESH_DEMO_DIR: dir });

function npmDemo(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return npmDemoWith(env(), ...args);
}

function npmDemoWith(
  environment: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'demo', '--', ...args],
      { cwd: packageRoot(), env: environment },
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

// As root (CI) the demo runs two real nodes per cluster; otherwise it says why it runs API-only.
const realNodes = nodesUnavailable() === undefined;

function assertAllGone(s: DemoState): void {
  for (const p of [{ name: 'demo', pid: s.pid }, ...(s.processes ?? [])]) {
    assert.equal(alive(p.pid), false, `${p.name} (pid ${p.pid}) still running`);
  }
  const slot = s.nodes?.[0]?.ip.split('.')[2];
  if (slot) {
    assert.equal(existsSync(`/run/fedmesh-nodes/fm${slot}.env`), false, 'node record left behind');
    assert.equal(existsSync(`/sys/fs/cgroup/pids/fm${slot}`), false, 'node cgroup left behind');
    // Only this demo's nodes: other harnesses on the machine may have nodes of their own.
    const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
    assert.ok(s.nodesDir, 'the state records the nodes folder');
    assert.equal(mounts.includes(` ${s.nodesDir}/`), false, 'node mounts left behind');
  }
  for (const c of s.clusters) assert.equal(existsSync(c.kubeconfig), false, `${c.kubeconfig} left behind`);
  assert.equal(existsSync(join(dir, 'controlplane')), false, 'control-plane folder left behind');
}

/** assertRealPods checks that the sample pods run on real nodes: wide listing, logs and exec work. */
async function assertRealPods(kc: string, s: DemoState): Promise<void> {
  const wide = await kubectlOk(kc, ['get', 'pods', '-n', 'shop', '-o', 'wide']);
  const row = /^frontend-0\s+1\/1\s+Running\s+\d+\s+\S+\s+(\d+\.\d+\.\d+\.\d+)\s+(cluster-a-node-\d)/m.exec(
    wide,
  );
  assert.ok(row, wide);
  assert.ok(
    s.nodes?.some((n) => n.name === row[2]),
    `${row[2]} is not one of the demo's nodes`,
  );
  const addr = await kubectlOk(kc, [
    'exec',
    '-n',
    'shop',
    'frontend-0',
    '--',
    'ip',
    '-4',
    '-o',
    'addr',
    'show',
    'eth0',
  ]);
  assert.match(addr, new RegExp(` ${row[1]!.replace(/\./g, '\\.')}/24 `));
  assert.match(await kubectlOk(kc, ['logs', '-n', 'shop', 'frontend-0']), /fedmesh-echo: http on :8080/);
  // The federated endpoint carries the kubelet's IP, node and readiness.
  const fep = await kubectlOk(kc, [
    'get',
    'fep',
    '-n',
    'shop',
    'cluster-a.frontend-0',
    '-o',
    'jsonpath={.spec.ips[0]} {.spec.node} {.status.ready}',
  ]);
  assert.equal(fep.trim(), `${row[1]} ${row[2]} true`);
  // Across clusters over fedmesh's overlay: db-0 in cluster-b sees frontend-0's own pod IP.
  const dbIP = await kubectlOk(kc, [
    'get',
    'fep',
    '-n',
    'shop',
    'cluster-b.db-0',
    '-o',
    'jsonpath={.spec.ips[0]}',
  ]);
  const reply = await kubectlOk(kc, [
    'exec',
    '-n',
    'shop',
    'frontend-0',
    '--',
    'wget',
    '-qO-',
    `http://${dbIP}:8080/`,
  ]);
  assert.match(reply, new RegExp(`peer=${row[1]!.replace(/\./g, '\\.')}:\\d+`), reply);
  // cluster-b's sample policy admits only frontends: cart-0 of cluster-a is refused.
  const cart = await podGet(kc, 'cart-0', `http://${dbIP}:8080/`, { namespace: 'shop' });
  assert.notEqual(cart.code, 0, `cart-0 reached db-0: ${cart.stdout}`);
  assert.match(cart.stderr, /exit code 137/);
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
    if (realNodes) {
      assert.equal(
        s.processes?.length,
        25,
        'etcd, 2 kube-apiservers, 2 controller-managers, 4 x (mount namespace holder, containerd, kubelet, kube-proxy, fedmesh-node)',
      );
      await assertRealPods(kcA, s);
    } else {
      assert.equal(s.processes?.length, 5, 'etcd, 2 kube-apiservers, 2 kube-controller-managers');
      assert.match(readFileSync(join(dir, 'demo.log'), 'utf8'), /API-only mode .*: real nodes need root/);
    }
    const st = await npmDemo('status');
    assert.match(st.stdout, /fedmesh demo: ready/);
    assert.doesNotMatch(st.stdout, /NOT RUNNING/);

    const downRun = await npmDemo('down');
    assert.equal(downRun.code, 0, downRun.stderr);
    assertAllGone(s);
    assert.match((await npmDemo('status')).stdout, /not running/);
  });

  it('up when the control-plane build fails: says what failed and what to run, and leaves nothing', async () => {
    const failing: NodeJS.ProcessEnv = { ...env(), KUBEBUILDER_ASSETS: join(dir, 'no-such-folder') };
    delete failing.FEDMESH_CONTROLPLANE_BIN; // set by the test runner: the demo would not build
    const r = await npmDemoWith(failing, 'up');
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /has no executable kube-apiserver; unset it to build from Go modules/);
    assert.match(
      r.stderr,
      /demo: failed: the demo stopped before it was ready: building the control-plane binaries failed \(.*build\.sh exited 1\)/,
    );
    assert.match(r.stderr, /then run `npm run demo -- up` again/);
    assert.match((await npmDemo('status')).stdout, /not running/);
    assert.equal(existsSync(join(dir, 'state.json')), false, 'state left behind');
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
