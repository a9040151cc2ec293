// core-index.ts: label index benchmarks at mesh scale: build, selector scan, per-change update
// latency and memory per endpoint, each beside brute-force evaluation without the index.
import { Core } from '../core/index.js';
import type { EndpointUpdate } from '../core/index.js';
import { Rng } from '../test/support/selectorgen.js';
import type { Row } from './stats.js';
import { quantile, time } from './stats.js';
import { endpoint, parents, selectors } from './workload.js';

const BATCH = 10_000;
const BRUTE_SAMPLE = 20_000; // brute force over all endpoints would take minutes; it is extrapolated

/** indexBench builds an index of `endpoints` endpoints and `nsel` selectors and measures it. */
export function indexBench(endpoints: number, nsel: number, changes: number): Row[] {
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const core = Core.load();
  const ix = core.newIndex({ recordEvents: false });
  const mem0 = core.stats().memoryBytes;
  ix.upsertParents(parents());
  const rng = new Rng(1);
  let buildMs = 0;
  for (let i = 0; i < endpoints; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, endpoints - i) }, (_, j) => endpoint(rng, i + j));
    buildMs += time(() => ix.upsertEndpoints(batch));
  }
  global.gc?.();
  const bytesPerEp = (core.stats().memoryBytes - mem0 + (process.memoryUsage().heapUsed - heap0)) / endpoints;
  const sels = selectors(new Rng(2), nsel);
  const evals0 = ix.stats().evaluations;
  const selMs = time(() => sels.forEach((s, i) => ix.addSelector(`s${i}`, s)));
  const evals = ix.stats().evaluations - evals0;
  const sample = Math.min(BRUTE_SAMPLE, endpoints);
  const bruteMs = (time(() => ix.bruteForce(sample)) * endpoints) / sample;
  const upd = updates(ix, rng, endpoints, changes);
  const pause = {
    core: time(() => core.collect()),
    v8: time(() => global.gc?.()),
    sweep: time(() => core.sweepStrings()),
  };
  const jsSample = Math.min(endpoints, 200_000);
  const js = jsBaseline(jsSample);
  const label = `${fmtCount(endpoints)} endpoints x ${fmtCount(nsel)} selectors`;
  return [
    {
      name: `index build: ${fmtCount(endpoints)} endpoints`,
      unit: 's',
      ours: [buildMs / 1e3],
      base: [(js.ms * endpoints) / jsSample / 1e3],
      baseline: `storing them in a JS Map, no index (extrapolated from ${fmtCount(jsSample)})`,
    },
    {
      name: `add selectors: ${label}`,
      unit: 's',
      ours: [selMs / 1e3],
      base: [bruteMs / 1e3],
      baseline: `every pair evaluated in WASM, no index (extrapolated from ${fmtCount(sample)} endpoints)`,
    },
    {
      name: `selector evaluations: ${label}`,
      unit: 'M',
      ours: [evals / 1e6],
      base: [(endpoints * nsel) / 1e6],
      baseline: 'every pair',
    },
    ...changeRows(upd, pause),
    {
      name: 'memory per endpoint (wasm + js)',
      unit: 'bytes',
      ours: [bytesPerEp],
      base: [js.bytes],
      baseline: 'plain JS objects holding the same endpoints, no index',
    },
  ];
}

// changeRows are the rows of the per-change updates.
function changeRows(
  upd: { ours: number[]; base: number[] },
  pause: { core: number; v8: number; sweep: number },
): Row[] {
  return [
    {
      name: 'per-change update, p50',
      unit: 'us',
      ours: [quantile(upd.ours, 0.5)],
      base: [quantile(upd.base, 0.5)],
      baseline: 'one endpoint vs every selector in WASM',
    },
    {
      name: 'per-change update, p99',
      unit: 'us',
      ours: [quantile(upd.ours, 0.99)],
      base: [quantile(upd.base, 0.99)],
      baseline: 'one endpoint vs every selector in WASM',
    },
    {
      name: "one full collection of the core's memory (a pause of the thread)",
      unit: 'ms',
      ours: [pause.core],
      base: [pause.v8],
      baseline: "one full collection of V8's heap in the same process",
    },
    {
      name: 'one sweep of the intern table (runs each time the table has doubled)',
      unit: 'ms',
      ours: [pause.sweep],
      base: [pause.v8],
      baseline: "one full collection of V8's heap in the same process",
    },
  ];
}

// updates changes random endpoints one at a time (new app and version) and times each change,
// then times brute-force re-evaluation of the same endpoints.
function updates(
  ix: ReturnType<Core['newIndex']>,
  rng: Rng,
  endpoints: number,
  n: number,
): { ours: number[]; base: number[] } {
  const ours: number[] = [];
  const ids: string[] = [];
  for (let k = 0; k < n; k++) {
    const ep = endpoint(rng, rng.int(endpoints));
    ids.push(ep.id);
    ours.push(time(() => ix.upsertEndpoints([ep])) * 1e3);
  }
  const base = ids.map((id) => time(() => ix.bruteForceEndpoint(id)) * 1e3);
  return { ours, base };
}

// jsBaseline measures storing n endpoints as plain JS objects in a Map: time (without generating
// them, as for the index) and heap bytes per endpoint.
function jsBaseline(n: number): { ms: number; bytes: number } {
  const rng = new Rng(3);
  const eps = Array.from({ length: n }, (_, i) => endpoint(rng, i));
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const store = new Map<string, EndpointUpdate>();
  const ms = time(() => eps.forEach((ep) => store.set(ep.id, structuredClone(ep))));
  global.gc?.();
  const bytes = (process.memoryUsage().heapUsed - before) / n;
  if (store.size !== n) throw new Error('unreachable');
  return { ms, bytes };
}

/**
 * internRow measures what a label value costs once no endpoint carries it: n distinct values pass
 * over 1,000 endpoints (a label with a new value per change). Sweeps free the values nothing holds
 * (core/interner.ts), so what is left is the peak the table reached, whatever n is. The reference
 * is what keeping every value would cost: a JS Map of the same strings to numbers.
 */
export function internRow(n: number): Row {
  // The reference first: a collection while it is measured must not free the index below (its
  // JS mirror of the interned values is part of what is measured), which stays reachable until
  // its dispose().
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  const m = new Map<string, number>();
  for (let k = 0; k < n; k++) m.set(`c-${k}`, k);
  global.gc?.();
  const base = (process.memoryUsage().heapUsed - before) / 1e6;
  if (m.size !== n) throw new Error('unreachable');
  m.clear();
  const core = Core.load();
  const ix = core.newIndex({ recordEvents: false });
  const eps = Array.from({ length: 1000 }, (_, i) => ({
    id: `ns/p${i}`,
    labels: { app: 'web', change: '' },
  }));
  const at = (k: number): EndpointUpdate[] =>
    eps.map((e, i) => ({ ...e, labels: { app: 'web', change: `c-${k + i}` } }));
  ix.upsertEndpoints(at(0));
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const core0 = core.stats().memoryBytes;
  for (let k = eps.length; k < n; k += eps.length) ix.upsertEndpoints(at(k));
  global.gc?.();
  const ours = (core.stats().memoryBytes - core0 + process.memoryUsage().heapUsed - heap0) / 1e6;
  ix.dispose();
  return {
    name: `memory left by ${fmtCount(n)} label values no endpoint has any more (wasm + js)`,
    unit: 'MB',
    ours: [ours],
    base: [base],
    baseline: 'a JS Map of the same strings',
  };
}

/** fmtCount writes 1000000 as 1M and 1000 as 1k. */
export function fmtCount(n: number): string {
  if (n >= 1e6 && n % 1e6 === 0) return `${n / 1e6}M`;
  if (n >= 1e3 && n % 1e3 === 0) return `${n / 1e3}k`;
  return String(n);
}
