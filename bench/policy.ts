// policy.ts: fedmesh-node's policy table (node/policy) in network namespaces the benchmark creates
// and removes. (a) One member added to a 100k-member IP set: render, plan and apply on the node,
// beside the naive `nft add element` of one element into a 100k interval set (in its own netns:
// a large interval set slows every element change of the netns). (b) 1,000 policies over IP sets
// of 100k endpoints of 3 clusters: a full render and apply of the table, beside an endpoint change
// (one endpoint relabelled from one app to another) applied incrementally, p50 and p99. (c) Memory
// of the node's policy state at 100k endpoints, beside the addresses alone. Needs root.
//   npm run bench -- policy [--endpoints 100000] [--policies 1000] [--runs 3] [--changes 100]
import { execFileSync } from 'node:child_process';
import type { CompiledPolicy, PolicyModel } from '../api/policy.js';
import { Runner } from '../node/dataplane/exec.js';
import { PolicyApplier } from '../node/policy/apply.js';
import { PolicyRenderer, type LocalPod } from '../node/policy/render.js';
import { printTable, quantile, type Row } from './stats.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): number =>
  Number(args.includes(name) ? args[args.indexOf(name) + 1]! : dflt);
const ENDPOINTS = opt('--endpoints', '100000');
const POLICIES = opt('--policies', '1000');
const RUNS = opt('--runs', '3');
const CHANGES = opt('--changes', '100');
const APPS = 500;
const TIERS = 20;
const GROUPS = 20; // groups of local pods, each selected by POLICIES / GROUPS policies
const NS = `fmbench-pol${process.pid}`;
const NS_REF = `fmbench-polref${process.pid}`;

if (process.getuid?.() !== 0) {
  console.error('bench policy: needs root (network namespaces)');
  process.exit(1);
}

const sh = (a: string[], input?: string): string =>
  execFileSync(a[0]!, a.slice(1), { input: input ?? '', stdio: ['pipe', 'pipe', 'pipe'] }).toString();
const ms = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1e6;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
// endpoint i is in cluster i % 3 (10.1/16, 10.2/16, 10.3/16, then on).
const endpoint = (i: number): string => {
  const k = Math.floor(i / 3);
  return `10.${1 + (i % 3) + 3 * (k >> 16)}.${(k >> 8) & 255}.${k & 255}`;
};

const local: LocalPod[] = Array.from({ length: 2 * GROUPS }, (_, k) => ({
  ips: [`10.244.0.${k + 2}`, `fd00:10:244::${(k + 2).toString(16)}`],
}));

// members builds the IP sets of the workload: per app, per tier, per cluster, everything, and the
// local pod groups.
function members(addrs: string[]): Map<string, Set<string>> {
  const sets = new Map<string, Set<string>>();
  const put = (name: string, a: string): void =>
    void (sets.get(name) ?? sets.set(name, new Set()).get(name)!).add(a);
  addrs.forEach((a, i) => {
    put(`app-${i % APPS}`, a);
    put(`tier-${i % TIERS}`, a);
    put(`cluster-${i % 3}`, a);
    put('all', a);
  });
  local.forEach((p, k) => p.ips.forEach((ip) => put(`local-${k % GROUPS}`, ip)));
  return sets;
}

function policies(n: number): CompiledPolicy[] {
  return Array.from({ length: n }, (_, j) => ({
    key: `ns${j % 50}/policy-${j}`,
    order: j,
    appliesTo: `local-${j % GROUPS}`,
    ingress: [
      {
        index: 0,
        action: 'Deny',
        protocol: 'TCP',
        source: { set: `tier-${j % TIERS}` },
        destination: { ports: [{ first: 22, last: 22 }] },
      },
      {
        index: 1,
        action: 'Allow',
        protocol: 'TCP',
        source: { set: `app-${j % APPS}` },
        destination: { ports: [{ first: 5432, last: 5432 }] },
      },
      {
        index: 2,
        action: 'Allow',
        protocol: 'TCP',
        source: { set: `app-${(j * 7) % APPS}`, nets: ['10.0.0.0/8'] },
        destination: { ports: [{ first: 8000, last: 8080 }] },
      },
    ],
    egress: [{ index: 0, action: 'Allow', destination: { set: `cluster-${j % 3}` } }],
  }));
}

// oneMember: (a) on our table and on the reference interval set.
async function oneMember(addrs: string[]): Promise<Row[]> {
  const sets = members(addrs);
  const policy: CompiledPolicy = {
    key: 'db/allow',
    appliesTo: 'local-0',
    ingress: [{ index: 0, action: 'Allow', source: { set: 'all' } }],
  };
  const model = (all: Set<string>): PolicyModel => ({
    policies: [policy],
    sets: new Map([...sets, ['all', all]]),
  });
  const applier = new PolicyApplier(new Runner(NS));
  const renderer = new PolicyRenderer();
  let all = sets.get('all')!;
  await applier.apply(renderer.render(model(all), local));
  const ours: number[] = [];
  for (let r = 0; r < 20; r++) {
    all = new Set(all).add(`10.9.${r >> 8}.${r & 255}`); // the source hands over a new set object
    const m = model(all);
    const t = process.hrtime.bigint();
    await applier.apply(renderer.render(m, local));
    ours.push(ms(t));
  }
  await applier.remove();
  sh(
    ['ip', 'netns', 'exec', NS_REF, 'nft', '-f', '-'],
    `table inet ref {\n  set big {\n    type ipv4_addr; flags interval\n    elements = { ${addrs.join(', ')} }\n  }\n}\n`,
  );
  const base: number[] = [];
  for (let r = 0; r < Math.max(RUNS, 3); r++) {
    const t = process.hrtime.bigint();
    sh(['ip', 'netns', 'exec', NS_REF, 'nft', 'add', 'element', 'inet', 'ref', 'big', `{ 10.9.1.${r} }`]);
    base.push(ms(t));
  }
  printSpread('(a) one member added, fedmesh', ours);
  return [
    {
      name: `(a) one member added to a ${addrs.length} set`,
      unit: 'ms',
      ours,
      base,
      baseline: 'nft add element, interval set',
    },
  ];
}

// changes relabels one endpoint at a time (from one app to another) and applies each change;
// it returns the times with and without the conntrack cut.
async function changes(
  addrs: string[],
  sets: Map<string, Set<string>>,
  ps: CompiledPolicy[],
  applier: PolicyApplier,
  renderer: PolicyRenderer,
): Promise<[number[], number[]]> {
  const inc: number[] = [];
  const incSets: number[] = [];
  let current = new Map(sets) as Map<string, ReadonlySet<string>>;
  for (let c = 0; c < CHANGES; c++) {
    const i = (c * 7919) % addrs.length;
    const [from, to] = [`app-${i % APPS}`, `app-${(i + 1 + c) % APPS}`];
    const next = new Map(current);
    const f = new Set(current.get(from));
    f.delete(addrs[i]!);
    next.set(from, f).set(to, new Set(current.get(to)).add(addrs[i]!));
    const t = process.hrtime.bigint();
    const out = await applier.apply(renderer.render({ policies: ps, sets: next }, local));
    inc.push(ms(t));
    incSets.push(ms(t) - out.conntrackMs);
    current = next;
  }
  return [inc, incSets];
}

// nftFloor times one nft process adding one element to a set of the same table.
async function nftFloor(): Promise<number[]> {
  const floor: number[] = [];
  for (let r = 0; r < 20; r++) {
    const t = process.hrtime.bigint();
    await new Runner(NS).nft(['add', 'element', 'inet', 'fedmesh-policy', 'app-0.v4', `{ 10.99.0.${r} }`]);
    floor.push(ms(t));
  }
  return floor;
}

// fullAndIncremental: (b), and (c) measured on the state it leaves.
async function fullAndIncremental(addrs: string[]): Promise<[Row[], string[]]> {
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  const sets = members(addrs);
  const ps = policies(POLICIES);
  gc();
  const heapModel = process.memoryUsage().heapUsed;
  const full: number[] = [];
  let applier = new PolicyApplier(new Runner(NS));
  let renderer = new PolicyRenderer();
  let elements = 0;
  for (let r = 0; r < RUNS; r++) {
    await applier.remove();
    applier = new PolicyApplier(new Runner(NS));
    renderer = new PolicyRenderer();
    const t = process.hrtime.bigint();
    const out = await applier.apply(renderer.render({ policies: ps, sets }, local));
    full.push(ms(t));
    elements = out.elementsAdded;
  }
  gc();
  const heapState = process.memoryUsage().heapUsed;
  const rss = process.memoryUsage().rss;
  const [inc, incSets] = await changes(addrs, sets, ps, applier, renderer);
  const floor = await nftFloor();
  printSpread('(b) full render+apply', full);
  printSpread('(b) floor: one `nft add element` process on the same table', floor);
  printSpread('(b) one endpoint change, until the nft sets are updated', incSets);
  printSpread('(b) one endpoint change, incremental, flows cut too', inc);
  const mb = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const strings = addrs.reduce((n, a) => n + 40 + a.length, 0); // V8 one-byte string: header + chars
  const memory = [
    `${addrs.length} endpoints, ${POLICIES} policies, ${sets.size} IP sets, ${elements} nft set elements, ${local.length} local pods`,
    `model (IP sets as JS Sets): heap +${mb(heapModel - heap0)} (${((heapModel - heap0) / addrs.length).toFixed(0)} B/endpoint); addresses alone (estimate) ${mb(strings)}`,
    `node policy state (rendered table + applier, sharing the model's sets): heap +${mb(heapState - heapModel)}`,
    `process RSS ${mb(rss)} (+${mb(rss - rss0)} since before the model)`,
  ];
  const rows: Row[] = [
    {
      name: `(b) ${POLICIES} policies, one endpoint change: sets updated`,
      unit: 'ms',
      ours: incSets,
      base: full,
      baseline: 'full render+apply of the table',
    },
    {
      name: `(b) same, with the conntrack cut`,
      unit: 'ms',
      ours: inc,
      base: full,
      baseline: 'full render+apply of the table',
    },
    {
      name: `(b) one endpoint change: sets updated`,
      unit: 'ms',
      ours: incSets,
      base: floor,
      baseline: 'one nft add element process (floor)',
    },
  ];
  return [rows, memory];
}

function printSpread(name: string, xs: number[]): void {
  spreads.push(
    `${name}: p50 ${quantile(xs, 0.5).toFixed(1)} ms, p99 ${quantile(xs, 0.99).toFixed(1)} ms, n=${xs.length}`,
  );
}
const spreads: string[] = [];

async function main(): Promise<void> {
  for (const ns of [NS, NS_REF]) sh(['ip', 'netns', 'add', ns]);
  try {
    const addrs = Array.from({ length: ENDPOINTS }, (_, i) => endpoint(i));
    const rows = await oneMember(addrs);
    const [more, memory] = await fullAndIncremental(addrs);
    printTable([...rows, ...more]);
    console.log('\nlatency:');
    for (const s of spreads) console.log(`  ${s}`);
    console.log('\nmemory (c):');
    for (const m of memory) console.log(`  ${m}`);
  } finally {
    for (const ns of [NS, NS_REF]) sh(['ip', 'netns', 'del', ns]);
  }
}

await main();
