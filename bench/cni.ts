// cni.ts: the CNI ADD latency fedmesh-cni adds: ADDs through cnitool (CNI 1.1.0 reference bridge
// + host-local, built by test/controlplane/cni-plugins.sh) with fedmesh-cni chained after them,
// beside the same chain without it, alternating, in the same run; each pod is deleted (untimed)
// after its ADD. fedmesh-cni talks to an in-process agent socket that answers like fedmesh-node.
// With the standalone executable built (npm run build:cni) it is measured too. Needs root.
//   npm run bench -- cni [--pods 200]
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CniServer } from '../node/agent/cniserver.js';
import { packageRoot } from '../test/harness/root.js';
import { printTable, quantile, type Row } from './stats.js';

const args = process.argv.slice(2);
const PODS = Number(args.includes('--pods') ? args[args.indexOf('--pods') + 1] : '200');
const root = packageRoot();
const tag = `fmcnib${process.pid}`;
const nodeNs = `${tag}-node`;
const STANDALONE = join(root, '.cache/dist/fedmesh-cni');

if (process.getuid?.() !== 0) {
  console.error('bench cni: needs root (network namespaces)');
  process.exit(1);
}

const sh = (cmd: string, a: string[]): string => execFileSync(cmd, a).toString();

// cnitool runs one command of network `net` on pod netns `pod`; returns milliseconds.
function cnitool(dir: string, bin: string, cmd: string, net: string, pod: string): Promise<number> {
  const t = process.hrtime.bigint();
  const env = {
    ...process.env,
    NETCONFPATH: join(dir, 'net.d'),
    CNI_PATH: bin,
    CNI_ARGS: `IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=${pod}`,
  };
  const argv = ['netns', 'exec', nodeNs, join(bin, 'cnitool'), cmd, net, `/run/netns/${pod}`];
  return new Promise((resolve, reject) => {
    const child = spawn('ip', argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('close', (code) =>
      code === 0
        ? resolve(Number(process.hrtime.bigint() - t) / 1e6)
        : reject(new Error(`cnitool ${cmd} ${net} exited ${code}: ${err}`)),
    );
  });
}

// setup writes one conflist per chain (bridge + host-local, then fedmesh-cni or not).
function setup(dir: string, plugins: string, socket: string): Map<string, string> {
  mkdirSync(join(dir, 'net.d'));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const p of ['bridge', 'host-local', 'cnitool']) symlinkSync(join(plugins, p), join(bin, p));
  symlinkSync(join(root, 'node/bin/fedmesh-cni.js'), join(bin, 'fedmesh-cni'));
  if (existsSync(STANDALONE)) symlinkSync(STANDALONE, join(bin, 'fedmesh-cni-standalone'));
  const chains = new Map<string, string>([['reference', '']]);
  chains.set('fedmesh-cni', 'fedmesh-cni');
  if (existsSync(STANDALONE)) chains.set('fedmesh-cni standalone', 'fedmesh-cni-standalone');
  let n = 0;
  for (const [name, type] of chains) {
    n++;
    const net = `${tag}-${n}`;
    const bridge = {
      type: 'bridge',
      bridge: `cnib${n}`,
      isGateway: true,
      ipam: {
        type: 'host-local',
        ranges: [[{ subnet: `10.252.${n}.0/24` }]],
        dataDir: join(dir, `ipam${n}`),
      },
    };
    const conf = { cniVersion: '1.1.0', name: net, plugins: type ? [bridge, { type, socket }] : [bridge] };
    writeFileSync(join(dir, 'net.d', `${n}0-${net}.conflist`), JSON.stringify(conf));
    chains.set(name, net);
  }
  return chains;
}

async function main(): Promise<void> {
  const built = spawnSync(join(root, 'test/controlplane/cni-plugins.sh'), {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (built.status !== 0) throw new Error('building the CNI 1.1 plugins and cnitool failed');
  const dir = mkdtempSync(join(tmpdir(), 'fedmesh-cni-bench-'));
  const server = new CniServer({ path: join(dir, 'agent.sock'), mtu: () => 1450, ready: () => true });
  await server.listen();
  sh('ip', ['netns', 'add', nodeNs]);
  try {
    const chains = setup(dir, built.stdout.toString().trim(), join(dir, 'agent.sock'));
    const samples = new Map<string, number[]>([...chains.keys()].map((k) => [k, []]));
    for (let i = 0; i < PODS; i++)
      for (const [name, net] of chains) {
        const pod = `${tag}-p${i % 8}`;
        sh('ip', ['netns', 'add', pod]);
        samples.get(name)!.push(await cnitool(dir, join(dir, 'bin'), 'add', net, pod));
        await cnitool(dir, join(dir, 'bin'), 'del', net, pod);
        sh('ip', ['netns', 'del', pod]);
      }
    report(samples);
  } finally {
    await server.close();
    for (const ns of readdirSync('/run/netns').filter((n) => n.startsWith(`${tag}-`)))
      sh('ip', ['netns', 'del', ns]);
    for (const f of existsSync('/var/lib/cni/results') ? readdirSync('/var/lib/cni/results') : [])
      if (f.startsWith(`${tag}-`)) rmSync(join('/var/lib/cni/results', f));
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(samples: Map<string, number[]>): void {
  const ref = samples.get('reference')!;
  const rows: Row[] = [];
  for (const [name, xs] of samples) {
    if (name === 'reference') continue;
    for (const q of [0.5, 0.99])
      rows.push({
        name: `CNI ADD p${q * 100}, bridge + host-local + ${name}`,
        unit: 'ms',
        ours: [quantile(xs, q)],
        base: [quantile(ref, q)],
        baseline: 'bridge + host-local (same run)',
      });
  }
  console.log(`${PODS} ADDs per chain through cnitool (CNI 1.1.0), interleaved\n`);
  printTable(rows);
  console.log('\nadded by fedmesh-cni (p50 of chain minus p50 of reference):');
  for (const [name, xs] of samples)
    if (name !== 'reference')
      console.log(`  ${name}: ${(quantile(xs, 0.5) - quantile(ref, 0.5)).toFixed(1)} ms`);
}

await main();
