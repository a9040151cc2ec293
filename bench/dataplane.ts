// dataplane.ts: fedmesh-node's reconciler programming N remote nodes (FDB entry, neighbour and
// route each, plus the masquerade-exemption table) in a network namespace: from scratch, then a
// reconcile with 1% churn (0.5% of the nodes replaced by new ones); beside the same state applied
// with one `ip`/`bridge` process per entry (the reference), in the same run. Needs root.
//   npm run bench -- dataplane [--sizes 1000,10000] [--runs 3] [--reference-sizes 1000,10000]
import { execFileSync, spawnSync } from 'node:child_process';
import { vtepMAC } from '../api/index.js';
import { Runner } from '../node/dataplane/exec.js';
import { Reconciler } from '../node/dataplane/reconciler.js';
import { DEVICE, type Desired, type Peer } from '../node/dataplane/types.js';
import { printTable, type Row } from './stats.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string =>
  args.includes(name) ? args[args.indexOf(name) + 1]! : dflt;
const SIZES = opt('--sizes', '1000,10000').split(',').map(Number);
const REF_SIZES = new Set(opt('--reference-sizes', '1000,10000').split(',').map(Number));
const RUNS = Number(opt('--runs', '3'));
const NS = `fmbench${process.pid}`;

if (process.getuid?.() !== 0) {
  console.error('bench dataplane: needs root (network namespaces)');
  process.exit(1);
}

function peers(n: number, offset = 0): Peer[] {
  return Array.from({ length: n }, (_, k) => {
    const i = k + offset + 1;
    return {
      key: `west.n${i}`,
      cluster: 'west',
      address: `198.${20 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
      mac: vtepMAC('west', `n${i}`),
      podCIDRs: [`${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}.0/24`],
    };
  });
}

const overlay: Desired['overlay'] = {
  vni: 4299,
  port: 4789,
  local: '198.19.255.1',
  uplink: 'eth0',
  mac: vtepMAC('east', 'n1'),
};
const sh = (cmd: string, a: string[]): void =>
  void execFileSync(cmd, a, { stdio: ['ignore', 'ignore', 'pipe'] });
const ms = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1e6;

function setup(): void {
  sh('ip', ['netns', 'add', NS]);
  sh('ip', ['-n', NS, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0p']);
  sh('ip', ['-n', NS, 'addr', 'add', '198.19.255.1/24', 'dev', 'eth0']);
  sh('ip', ['-n', NS, 'link', 'set', 'eth0', 'up']);
  sh('ip', ['-n', NS, 'link', 'set', 'eth0p', 'up']);
}

// perEntry applies the peers' entries with one process each; returns [ms, processes].
function perEntry(ps: Peer[], del = false): [number, number] {
  const t = process.hrtime.bigint();
  let n = 0;
  const run = (cmd: string, a: string[]): void => {
    n++;
    spawnSync(cmd, ['-n', NS, ...a], { stdio: 'ignore' });
  };
  for (const p of ps) {
    const dst = p.podCIDRs[0]!;
    if (del) {
      run('ip', ['route', 'del', dst, 'proto', '211']);
      run('ip', ['neigh', 'del', p.address, 'dev', DEVICE]);
      run('bridge', ['fdb', 'del', p.mac, 'dev', DEVICE, 'dst', p.address, 'self']);
      continue;
    }
    run('bridge', ['fdb', 'replace', p.mac, 'dev', DEVICE, 'dst', p.address, 'self', 'permanent']);
    run('ip', ['neigh', 'replace', p.address, 'lladdr', p.mac, 'dev', DEVICE, 'nud', 'permanent']);
    run('ip', ['route', 'replace', dst, 'via', p.address, 'dev', DEVICE, 'onlink', 'proto', '211']);
  }
  return [ms(t), n];
}

async function main(): Promise<void> {
  setup();
  const rows: Row[] = [];
  const procs: string[] = [];
  try {
    for (const n of SIZES) {
      const scratch: number[] = [];
      const churn: number[] = [];
      let scratchProcs = 0;
      let churnProcs = 0;
      const k = Math.max(1, Math.round(n * 0.005));
      for (let r = 0; r < RUNS; r++) {
        const rec = new Reconciler(new Runner(NS));
        await rec.remove();
        const base = peers(n);
        let t = process.hrtime.bigint();
        scratchProcs = (await rec.reconcile({ overlay, peers: base })).processes;
        scratch.push(ms(t));
        const churned = [...base.slice(k), ...peers(k, n)];
        t = process.hrtime.bigint();
        churnProcs = (await rec.reconcile({ overlay, peers: churned })).processes;
        churn.push(ms(t));
      }
      const refScratch: number[] = [];
      const refChurn: number[] = [];
      let refProcs = 0;
      let refChurnProcs = 0;
      if (REF_SIZES.has(n)) {
        await new Reconciler(new Runner(NS)).remove();
        await new Reconciler(new Runner(NS)).reconcile({ overlay, peers: [] });
        const base = peers(n);
        const [a, pa] = perEntry(base);
        refScratch.push(a);
        refProcs = pa;
        const [d, pd] = perEntry(base.slice(0, k), true);
        const [b, pb] = perEntry(peers(k, n));
        refChurn.push(d + b);
        refChurnProcs = pd + pb;
      }
      rows.push({
        name: `${n} remote nodes from scratch`,
        unit: 'ms',
        ours: scratch,
        base: refScratch,
        baseline: 'one ip/bridge process per entry',
      });
      rows.push({
        name: `${n} nodes, 1% churn`,
        unit: 'ms',
        ours: churn,
        base: refChurn,
        baseline: 'one process per changed entry',
      });
      procs.push(
        `${n}: fedmesh ${scratchProcs} processes from scratch, ${churnProcs} for 1% churn; per entry ${refProcs || '-'} and ${refChurnProcs || '-'}`,
      );
    }
  } finally {
    sh('ip', ['netns', 'del', NS]);
  }
  printTable(rows);
  console.log('\nprocesses spawned:');
  for (const p of procs) console.log(`  ${p}`);
}

await main();
