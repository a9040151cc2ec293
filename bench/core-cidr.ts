// core-cidr.ts: minimal CIDR cover of many pod addresses, beside naive sibling merging in JS.
import type { Core } from '../core/index.js';
import { Rng } from '../test/support/selectorgen.js';
import { fmtCount } from './core-index.js';
import type { Row } from './stats.js';
import { repeat, time } from './stats.js';

// podAddresses draws n addresses from 5 /12 pod CIDRs at ~60% density, so the cover has many runs.
function podAddresses(n: number): Uint32Array {
  const rng = new Rng(4);
  const out = new Uint32Array(n);
  const span = Math.ceil(n / 5 / 0.6);
  for (let i = 0; i < n; i++) out[i] = ((10 << 24) | ((i % 5) << 20) | rng.int(span)) >>> 0;
  return out;
}

// siblingMerge is the naive cover: merge sibling prefixes level by level with Sets.
function siblingMerge(addrs: Uint32Array): number {
  let level = new Set<number>(addrs);
  let out = 0;
  for (let len = 32; len > 0; len--) {
    const size = 2 ** (32 - len);
    const up = new Set<number>();
    for (const a of level) {
      const base = a - (a % (size * 2));
      if (level.has(base) && level.has(base + size)) up.add(base);
      else out++;
    }
    level = up;
  }
  return out + level.size;
}

/** cidrBench times the core's cover of n addresses against sibling merging. */
export function cidrBench(core: Core, n: number, runs: number): Row {
  const addrs = podAddresses(n);
  const words = new Uint32Array(n * 4);
  for (let i = 0; i < n; i++) words.set([0, 0, 0xffff, addrs[i]!], i * 4);
  let cidrs = 0;
  const ours = repeat(runs, () => time(() => (cidrs = core.cidrCoverRecords(words).length / 6)));
  let naive = 0;
  const base = repeat(Math.min(runs, 3), () => time(() => (naive = siblingMerge(addrs))));
  if (naive !== cidrs) throw new Error(`cover sizes differ: core ${cidrs}, sibling merge ${naive}`);
  return {
    name: `minimal CIDR cover: ${fmtCount(n)} IPv4 addresses (${cidrs} CIDRs)`,
    unit: 'ms',
    ours,
    base,
    baseline: 'sibling merging with JS Sets',
  };
}
