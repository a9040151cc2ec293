// batch.ts: `selector eval --batch`: one JSON line out per line in, in order. A bad line is
// reported in its own output line and never stops the batch.
import type { Core, Labels, Selector } from '../../../core/index.js';
import { SelectorError } from '../../../core/index.js';
import type { Context } from '../../cli/command.js';

/** BatchResult is one output line. */
export type BatchResult =
  { valid: true; canonical: string; uniqueID: string; matches: boolean } | { valid: false; error: string };

// Parsed selectors are reused across lines (CI batches repeat the same few selectors).
const CACHE_LIMIT = 1000;

/** evalBatch processes the JSON lines of path (- is stdin) and returns 1 if any line was invalid. */
export async function evalBatch(ctx: Context, path: string): Promise<number> {
  const core = ctx.core();
  const cache = new Map<string, Selector | SelectorError>();
  let failed = false;
  let n = 0;
  try {
    for await (const line of path === '-' ? ctx.io.stdin() : ctx.io.readFile(path)) {
      n++;
      if (line.trim() === '') continue;
      const r = evalLine(core, cache, line, n);
      failed ||= !r.valid;
      ctx.io.stdout(JSON.stringify(r) + '\n');
    }
  } finally {
    for (const s of cache.values()) if (!(s instanceof SelectorError)) s.dispose();
  }
  return failed ? 1 : 0;
}

/** evalLine evaluates one input line. */
export function evalLine(
  core: Core,
  cache: Map<string, Selector | SelectorError>,
  line: string,
  n: number,
): BatchResult {
  let input: { selector: string; labels: Labels; parents: Labels[] };
  try {
    input = checkInput(JSON.parse(line) as unknown);
  } catch (e) {
    const what = e instanceof SyntaxError ? 'invalid JSON: ' : '';
    return { valid: false, error: `line ${n}: ${what}${(e as Error).message}` };
  }
  const sel = parseCached(core, cache, input.selector);
  if (sel instanceof SelectorError) {
    return { valid: false, error: `invalid selector at position ${sel.position}: ${sel.reason}` };
  }
  return {
    valid: true,
    canonical: sel.canonical,
    uniqueID: sel.uniqueID,
    matches: sel.matches(input.labels, input.parents),
  };
}

function parseCached(
  core: Core,
  cache: Map<string, Selector | SelectorError>,
  src: string,
): Selector | SelectorError {
  let s = cache.get(src);
  if (s !== undefined) return s;
  try {
    s = core.parse(src);
  } catch (e) {
    if (!(e instanceof SelectorError)) throw e;
    s = e;
  }
  if (cache.size >= CACHE_LIMIT) {
    const [oldest] = cache;
    if (oldest && !(oldest[1] instanceof SelectorError)) oldest[1].dispose();
    if (oldest) cache.delete(oldest[0]);
  }
  cache.set(src, s);
  return s;
}

// checkInput validates the shape of one line, naming the offending field.
function checkInput(v: unknown): { selector: string; labels: Labels; parents: Labels[] } {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('expected a JSON object');
  const o = v as Record<string, unknown>;
  if (typeof o.selector !== 'string') throw new Error('"selector" must be a string');
  const labels = checkLabels(o.labels ?? {}, 'labels');
  if (o.parents !== undefined && !Array.isArray(o.parents))
    throw new Error('"parents" must be an array of label maps');
  const parents = ((o.parents as unknown[] | undefined) ?? []).map((p, i) => checkLabels(p, `parents[${i}]`));
  return { selector: o.selector, labels, parents };
}

function checkLabels(v: unknown, field: string): Labels {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Error(`"${field}" must be an object of strings`);
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') throw new Error(`"${field}.${k}" must be a string`);
  }
  return v as Labels;
}
