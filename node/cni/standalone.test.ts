// standalone.test.ts: fedmesh-cni as a standalone executable (scripts/build-cni.mjs) runs on a host
// without Node: with a PATH that has no node (only ip and nsenter), it installs itself into the CNI bin folder and the
// conflist, and the installed copy serves a real ADD and DEL through cnitool after bridge +
// host-local (CNI 1.1.0), giving the pod the overlay MTU. As root, in network namespaces.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packageRoot } from '../../test/harness/root.js';
import { CniServer } from '../agent/cniserver.js';

const root = packageRoot();
const tag = `fmsea${process.pid}`;
const MTU = 1380;

// run spawns without blocking the event loop (the agent socket is served in-process).
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

describe('fedmesh-cni standalone executable on a host without node (root)', () => {
  let dir: string;
  let exe: string;
  let server: CniServer;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'CNI tests need root (CI runs as root)');
    const built = spawnSync(process.execPath, [join(root, 'scripts/build-cni.mjs')], { encoding: 'utf8' });
    assert.equal(built.status, 0, `scripts/build-cni.mjs failed: ${built.stderr}`);
    exe = built.stdout.trim();
    const plugins = spawnSync(join(root, 'test/controlplane/cni-plugins.sh'), { encoding: 'utf8' });
    assert.equal(plugins.status, 0, 'building the CNI 1.1 plugins and cnitool failed');
    dir = mkdtempSync(join(tmpdir(), 'fedmesh-sea-'));
    for (const d of ['bin', 'net.d', 'host-path']) mkdirSync(join(dir, d));
    // The host's PATH has its network tools (ip, nsenter) and no node.
    for (const t of ['/usr/sbin/ip', '/usr/bin/nsenter']) symlinkSync(t, join(dir, 'host-path', basename(t)));
    for (const p of ['bridge', 'host-local', 'cnitool'])
      execFileSync('cp', [join(plugins.stdout.trim(), p), join(dir, 'bin', p)]);
    const conf = {
      cniVersion: '1.1.0',
      name: tag,
      plugins: [
        {
          type: 'bridge',
          bridge: 'cnisea0',
          isGateway: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: '10.253.1.0/24' }]], dataDir: join(dir, 'ipam') },
        },
      ],
    };
    writeFileSync(join(dir, 'net.d', '10-primary.conflist'), JSON.stringify(conf));
    server = new CniServer({ path: join(dir, 'agent.sock'), mtu: () => MTU, ready: () => true });
    await server.listen();
    env = { PATH: join(dir, 'host-path') };
    execFileSync('ip', ['netns', 'add', `${tag}-node`]);
    execFileSync('ip', ['netns', 'add', `${tag}-pod`]);
  });

  after(async () => {
    await server?.close();
    for (const ns of readdirSync('/run/netns').filter((n) => n.startsWith(`${tag}-`)))
      execFileSync('ip', ['netns', 'del', ns]);
    for (const f of existsSync('/var/lib/cni/results') ? readdirSync('/var/lib/cni/results') : [])
      if (f.startsWith(`${tag}-`)) rmSync(join('/var/lib/cni/results', f));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('installs itself and serves ADD and DEL with a PATH that has no node', async () => {
    assert.equal(spawnSync('node', ['--version'], { env }).error?.message, 'spawnSync node ENOENT');
    const sock = join(dir, 'agent.sock');
    const installed = await run(
      exe,
      ['install', `--conf-dir=${join(dir, 'net.d')}`, `--bin-dir=${join(dir, 'bin')}`, `--socket=${sock}`],
      env,
    );
    assert.equal(installed.code, 0, installed.out);
    assert.doesNotMatch(installed.out, /warning/);
    const list = JSON.parse(readFileSync(join(dir, 'net.d', '10-primary.conflist'), 'utf8')) as {
      plugins: { type: string }[];
    };
    assert.deepEqual(
      list.plugins.map((p) => p.type),
      ['bridge', 'fedmesh-cni'],
    );
    const cnitool = (cmd: string): Promise<{ code: number; out: string }> =>
      run(
        '/usr/sbin/ip',
        ['netns', 'exec', `${tag}-node`, join(dir, 'bin/cnitool'), cmd, tag, `/run/netns/${tag}-pod`],
        {
          ...env,
          NETCONFPATH: join(dir, 'net.d'),
          CNI_PATH: join(dir, 'bin'),
          CNI_ARGS: 'IgnoreUnknown=1;K8S_POD_NAME=sea',
        },
      );
    const add = await cnitool('add');
    assert.equal(add.code, 0, add.out);
    assert.match(add.out, /"address": "10\.253\.1\.\d+\/24"/);
    const link = JSON.parse(
      execFileSync('ip', ['-n', `${tag}-pod`, '-j', 'link', 'show', 'eth0']).toString(),
    ) as {
      mtu: number;
    }[];
    assert.equal(link[0]!.mtu, MTU, 'the pod has the overlay MTU');
    assert.equal(server.registered().length, 1, 'the pod is registered with the agent');
    const del = await cnitool('del');
    assert.equal(del.code, 0, del.out);
    assert.equal(server.registered().length, 0);
  });
});
