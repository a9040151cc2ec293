// controlplane.test.ts: two real control planes work with the real kubectl, are isolated from
// each other, and leave no process, port or folder behind (also when interrupted).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startControlPlane, type ControlPlane } from './controlplane.js';
import { kubectl, kubectlOk } from './kubectl.js';
import { waitFor } from './wait.js';

/** pidAlive reports whether a process exists (and is not a zombie). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // A zombie (killed, not yet reaped by its new parent) holds no resources: count it as gone.
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** socketInodes returns the inodes of the TCP sockets listening on a port (IPv4 and IPv6). */
function socketInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEXADDR:HEXPORT; state 0A is LISTEN; the inode is the tenth field.
      if (f.length > 9 && f[3] === '0A' && parseInt(f[1]!.split(':')[1]!, 16) === port) inodes.add(f[9]!);
    }
  }
  return inodes;
}

/**
 * listenersFrom returns the command lines of the processes that listen on a port and name the
 * folder in their arguments: a control plane's own etcd or kube-apiserver. Another process that
 * took the port after they exited is not a leftover.
 */
function listenersFrom(port: number, dir: string): string[] {
  const inodes = socketInodes(port);
  if (!inodes.size) return [];
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (!cmdline.includes(dir)) continue;
      const fds = readdirSync(`/proc/${pid}/fd`).map((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (fds.some((l) => inodes.has(/^socket:\[(\d+)\]$/.exec(l)?.[1] ?? ''))) found.push(cmdline);
    } catch {
      // The process exited while being read.
    }
  }
  return found;
}

/** Leftovers lists what a control plane might leave behind: pids, ports and its folder. */
interface Leftovers {
  pids: number[];
  ports: number[];
  dir: string;
}

function leftoversOf(cp: ControlPlane): Leftovers {
  const pids = [cp.etcd.process.child.pid!];
  const ports = [Number(new URL(cp.etcd.url).port)];
  for (const c of cp.clusters.values()) {
    pids.push(c.apiserver!.child.pid!);
    ports.push(c.port);
  }
  return { pids, ports, dir: cp.dir };
}

function assertNothingLeft(l: Leftovers): void {
  for (const pid of l.pids) assert.equal(pidAlive(pid), false, `process ${pid} still running`);
  for (const port of l.ports)
    assert.deepEqual(listenersFrom(port, l.dir), [], `port ${port} still listening`);
  assert.equal(existsSync(l.dir), false, `folder ${l.dir} still exists`);
}

describe('control-plane harness with two clusters', () => {
  let cp: ControlPlane;
  let a: string;
  let b: string;

  before(async () => {
    cp = await startControlPlane({ clusters: ['cluster-a', 'cluster-b'] });
    a = cp.cluster('cluster-a').kubeconfig;
    b = cp.cluster('cluster-b').kubeconfig;
  });
  after(() => cp?.stop());

  it('answers kubectl get --raw /readyz in each cluster', async () => {
    for (const kc of [a, b]) assert.equal((await kubectlOk(kc, ['get', '--raw', '/readyz'])).trim(), 'ok');
  });

  it('creates and lists a namespace', async () => {
    await kubectlOk(a, ['create', 'namespace', 'payments']);
    const names = (await kubectlOk(a, ['get', 'ns', '-o', 'name'])).split('\n');
    assert.ok(names.includes('namespace/payments'), names.join(','));
  });

  it('keeps clusters isolated', async () => {
    await kubectlOk(a, ['create', 'namespace', 'only-in-a']);
    const r = await kubectl(b, ['get', 'ns', 'only-in-a']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /NotFound.*"only-in-a" not found/);
  });

  it('grants the admin everything', async () => {
    assert.equal((await kubectlOk(a, ['auth', 'can-i', '*', '*'])).trim(), 'yes');
  });

  it('denies an unbound user through impersonation', async () => {
    const r = await kubectl(a, ['--as=jane', 'get', 'namespaces']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Forbidden.*User "jane" cannot list resource "namespaces"/);
    const can = await kubectl(a, ['--as=jane', 'auth', 'can-i', 'list', 'namespaces']);
    assert.equal(can.stdout.trim(), 'no');
  });

  it('authenticates client-certificate users with their groups', async () => {
    const kc = cp.cluster('cluster-b').userKubeconfig('ops', ['system:masters']);
    assert.equal(
      (await kubectlOk(kc, ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).trim(),
      'ops',
    );
  });

  it('leaves no process, port or folder after stop', async () => {
    const l = leftoversOf(cp);
    await cp.stop();
    assertNothingLeft(l);
  });
});

describe('control-plane harness interrupted', () => {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    it(`leaves no process or port when its owner gets ${signal}`, async () => {
      const script = `
        import { startControlPlane } from './test/harness/controlplane.ts';
        const cp = await startControlPlane({ clusters: ['solo'] });
        const c = cp.cluster('solo');
        console.log(JSON.stringify({ pids: [cp.etcd.process.child.pid, c.apiserver.child.pid],
          ports: [Number(new URL(cp.etcd.url).port), c.port], dir: cp.dir }));
        setInterval(() => {}, 1000);`;
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        child.once('exit', (code) => reject(new Error(`harness child exited early (${code})`)));
      });
      const l = JSON.parse(line) as Leftovers;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
      // SIGKILL gives no chance to clean up: the kernel kills the children (parent-death signal),
      // and the folder reaper, outside the process, removes the folder.
      await waitFor('the state folder removed', async () => !existsSync(l.dir), { timeoutMs: 10_000 });
      // The kernel's kill lands as the owner dies, but a large process takes a moment to exit.
      await waitFor('the processes gone', async () => !l.pids.some(pidAlive), { timeoutMs: 10_000 });
      assertNothingLeft(l);
    });
  }
});
