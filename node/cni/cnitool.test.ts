// cnitool.test.ts: fedmesh-cni through the reference runtime library (cnitool) with the reference
// bridge + host-local plugins before it, CNI 1.0.0 (Debian's plugins) and 1.1.0 (built from Go
// modules by test/controlplane/cni-plugins.sh), as root in network namespaces; and its answers to
// bad configurations, as CNI error JSON with the spec's codes.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packageRoot } from '../../test/harness/root.js';
import { CniServer } from '../agent/cniserver.js';

const root = packageRoot();
const PLUGIN = join(root, 'node/bin/fedmesh-cni.js');
const MTU = 1400;
const tag = `fmcni${process.pid}`;
const nodeNs = `${tag}-node`;

interface Run {
  code: number;
  out: string;
}

// exec runs a command without blocking the event loop (the agent's socket is served in-process).
function exec(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  input = '',
): Promise<Run & { stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('close', (code) => resolve({ code: code ?? -1, out: stdout + stderr, stdout }));
    child.stdin.end(input);
  });
}

describe('fedmesh-cni through cnitool (root)', () => {
  let dir: string;
  let server: CniServer;
  let socket: string;
  const binDirs: Record<string, string> = {};

  const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args).toString();
  const cnitool = (version: string, cmd: string, netns: string): Promise<Run> =>
    exec(
      'ip',
      [
        'netns',
        'exec',
        nodeNs,
        join(binDirs['1.1.0']!, 'cnitool'),
        cmd,
        `${tag}-${version.replace(/\./g, '')}`,
        `/run/netns/${netns}`,
      ],
      {
        ...process.env,
        NETCONFPATH: join(dir, 'net.d'),
        CNI_PATH: binDirs[version]!,
        CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=${netns}`,
      },
    );
  const podMTU = (netns: string): number =>
    (JSON.parse(sh('ip', ['-n', netns, '-j', 'link', 'show', 'dev', 'eth0'])) as { mtu: number }[])[0]!.mtu;
  const newPod = (name: string): string => {
    const ns = `${tag}-${name}`;
    sh('ip', ['netns', 'add', ns]);
    return ns;
  };

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'CNI tests need root (CI runs as root)');
    assert.ok(
      existsSync(join(root, 'dist/node/cni/main.js')),
      'fedmesh-cni is not built: run `npm run build`',
    );
    const built = spawnSync(join(root, 'test/controlplane/cni-plugins.sh'), {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    assert.equal(built.status, 0, 'building the CNI 1.1 plugins and cnitool failed');
    dir = mkdtempSync(join(tmpdir(), 'fedmesh-cni-'));
    socket = join(dir, 'agent.sock');
    server = new CniServer({ path: socket, mtu: () => MTU, ready: () => true });
    await server.listen();
    const sources: Record<string, string> = {
      '1.0.0': '/usr/lib/cni',
      '1.1.0': built.stdout.toString().trim(),
    };
    mkdirSync(join(dir, 'net.d'));
    for (const [v, src] of Object.entries(sources)) {
      const bin = join(dir, `bin-${v}`);
      mkdirSync(bin);
      for (const p of ['bridge', 'host-local', 'loopback', 'cnitool'])
        if (existsSync(join(src, p))) symlinkSync(join(src, p), join(bin, p));
      symlinkSync(PLUGIN, join(bin, 'fedmesh-cni'));
      binDirs[v] = bin;
      const n = v === '1.0.0' ? 1 : 2;
      const conf = {
        cniVersion: v,
        name: `${tag}-${v.replace(/\./g, '')}`,
        plugins: [
          {
            type: 'bridge',
            bridge: `cni${n}`,
            isGateway: true,
            ipMasq: false,
            ipam: {
              type: 'host-local',
              ranges: [[{ subnet: `10.251.${n}.0/24` }]],
              routes: [{ dst: '0.0.0.0/0' }],
              dataDir: join(dir, `ipam-${n}`),
            },
          },
          { type: 'fedmesh-cni', socket },
        ],
      };
      writeFileSync(join(dir, 'net.d', `${n}0-${v}.conflist`), JSON.stringify(conf));
    }
    sh('ip', ['netns', 'add', nodeNs]);
  });

  after(async () => {
    await server?.close();
    for (const ns of readdirSync('/run/netns').filter((n) => n.startsWith(`${tag}-`)))
      sh('ip', ['netns', 'del', ns]);
    for (const f of existsSync('/var/lib/cni/results') ? readdirSync('/var/lib/cni/results') : [])
      if (f.startsWith(`${tag}-`)) rmSync(join('/var/lib/cni/results', f));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const version of ['1.0.0', '1.1.0']) {
    it(`${version}: ADD registers the pod and sets the overlay MTU; CHECK, STATUS, GC pass; DEL twice succeeds`, async () => {
      const pod = newPod(`a${version.replace(/\./g, '')}`);
      const add = await cnitool(version, 'add', pod);
      assert.equal(add.code, 0, add.out);
      const result = JSON.parse(add.out) as { cniVersion: string; ips: { address: string }[] };
      assert.equal(result.cniVersion, version);
      assert.match(result.ips[0]!.address, /^10\.251\.\d\.\d+\/24$/);
      assert.equal(podMTU(pod), MTU);
      const reg = server.registered().find((p) => p.podName === pod);
      assert.deepEqual(reg && { ns: reg.podNamespace, ips: reg.ips }, {
        ns: 'default',
        ips: [result.ips[0]!.address],
      });
      assert.equal((await cnitool(version, 'check', pod)).code, 0);
      assert.equal((await cnitool(version, 'status', pod)).code, 0);
      const del = await cnitool(version, 'del', pod);
      assert.equal(del.code, 0, del.out);
      assert.equal(
        server.registered().find((p) => p.podName === pod),
        undefined,
      );
      assert.equal((await cnitool(version, 'del', pod)).code, 0, 'second DEL');
      const again = await cnitool(version, 'add', pod);
      assert.equal(again.code, 0, again.out);
      const gc = await cnitool(version, 'gc', pod);
      assert.equal(gc.code, 0, gc.out);
      assert.equal(
        server.registered().find((p) => p.podName === pod),
        undefined,
        'GC released the pod',
      );
    });
  }

  it('1.1.0: CHECK fails with code 100 when the pod MTU was changed behind its back', async () => {
    const pod = newPod('mtu');
    assert.equal((await cnitool('1.1.0', 'add', pod)).code, 0);
    sh('ip', ['-n', pod, 'link', 'set', 'dev', 'eth0', 'mtu', '1300']);
    const check = await cnitool('1.1.0', 'check', pod);
    assert.notEqual(check.code, 0);
    assert.match(check.out, /eth0 has MTU 1300, the overlay needs 1400/);
    assert.equal((await cnitool('1.1.0', 'del', pod)).code, 0);
  });

  it('DEL succeeds after the pod netns is gone', async () => {
    const pod = newPod('gone');
    assert.equal((await cnitool('1.1.0', 'add', pod)).code, 0);
    sh('ip', ['netns', 'del', pod]);
    const r = await exec(
      'ip',
      ['netns', 'exec', nodeNs, join(binDirs['1.1.0']!, 'cnitool'), 'del', `${tag}-110`, `/run/netns/${pod}`],
      {
        ...process.env,
        NETCONFPATH: join(dir, 'net.d'),
        CNI_PATH: binDirs['1.1.0']!,
        CNI_ARGS: 'IgnoreUnknown=1',
      },
    );
    assert.equal(r.code, 0, r.out);
  });

  it('with the agent stopped: DEL succeeds, ADD fails with code 11, STATUS with code 50', async () => {
    const pod = newPod('stopped');
    assert.equal((await cnitool('1.1.0', 'add', pod)).code, 0);
    await server.close();
    try {
      assert.equal((await cnitool('1.1.0', 'del', pod)).code, 0);
      const status = await cnitool('1.1.0', 'status', pod);
      assert.notEqual(status.code, 0);
      assert.match(status.out, /fedmesh-node is not available/);
      const plugin = await invoke('STATUS', { cniVersion: '1.1.0', name: 'n', type: 'fedmesh-cni', socket });
      assert.equal(plugin.json.code, 50);
      const add = await invoke('ADD', {
        cniVersion: '1.1.0',
        name: 'n',
        type: 'fedmesh-cni',
        socket,
        prevResult: { ips: [] },
      });
      assert.equal(add.json.code, 11);
    } finally {
      await server.listen();
    }
  });

  const invoke = async (
    command: string,
    conf: unknown,
    raw?: string,
  ): Promise<{ code: number; json: Record<string, unknown> }> => {
    const env = {
      ...process.env,
      CNI_COMMAND: command,
      CNI_CONTAINERID: 'c1',
      CNI_NETNS: '/run/netns/none',
      CNI_IFNAME: 'eth0',
      CNI_PATH: '/nonexistent',
    };
    const r = await exec(process.execPath, [PLUGIN], env, raw ?? JSON.stringify(conf));
    return { code: r.code, json: JSON.parse(r.stdout || '{}') as Record<string, unknown> };
  };

  const errorCases: {
    name: string;
    command: string;
    conf?: unknown;
    raw?: string;
    code: number;
    msg: RegExp;
  }[] = [
    {
      name: 'unknown version',
      command: 'ADD',
      conf: { cniVersion: '9.9.9', name: 'n', type: 'fedmesh-cni' },
      code: 1,
      msg: /incompatible CNI version/,
    },
    {
      name: 'missing prevResult',
      command: 'ADD',
      conf: { cniVersion: '1.0.0', name: 'n', type: 'fedmesh-cni' },
      code: 7,
      msg: /must be chained/,
    },
    { name: 'bad JSON', command: 'ADD', raw: '{"cniVersion": ', code: 6, msg: /cannot decode/ },
    {
      name: 'bad MTU',
      command: 'ADD',
      conf: { cniVersion: '1.1.0', name: 'n', type: 'fedmesh-cni', mtu: 12 },
      code: 7,
      msg: /invalid mtu/,
    },
  ];
  for (const c of errorCases) {
    it(`answers ${c.name} with CNI error JSON code ${c.code}`, async () => {
      const r = await invoke(c.command, c.conf, c.raw);
      assert.equal(r.code, 1);
      assert.equal(r.json.code, c.code);
      assert.match(String(r.json.msg), c.msg);
      assert.equal(typeof r.json.cniVersion, 'string');
    });
  }

  it('DEL without prevResult succeeds; VERSION lists 1.0.0 and 1.1.0', async () => {
    const del = await invoke('DEL', { cniVersion: '1.0.0', name: 'n', type: 'fedmesh-cni', socket });
    assert.equal(del.code, 0);
    const v = await invoke('VERSION', { cniVersion: '1.1.0' });
    assert.equal(v.code, 0);
    assert.deepEqual(v.json, { cniVersion: '1.1.0', supportedVersions: ['0.4.0', '1.0.0', '1.1.0'] });
  });
});
