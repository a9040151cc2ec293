// eval.ts: `kubectl mesh selector eval SELECTOR --labels k=v,...` and the JSON-lines batch mode.
import type { Labels } from '../../../core/index.js';
import type { Command } from '../../cli/command.js';
import { usageError } from '../../cli/errors.js';
import { evalBatch } from './batch.js';
import { caretError } from './show.js';

/** parseLabels reads "k=v,k2=v2" (an empty value is "k="). */
export function parseLabels(spec: string, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw usageError(`${flag}: ${JSON.stringify(part)} is not key=value`);
    out[part.slice(0, eq).trim()] = part.slice(eq + 1);
  }
  return out;
}

/** evalCommand evaluates a selector against labels (and parent labels), or a batch of JSON lines. */
export const evalCommand: Command = {
  name: 'eval',
  summary: 'Evaluate a selector against labels, or a batch of JSON lines (--batch)',
  description: [
    "Evaluate a selector against an endpoint's labels. --parent-labels adds a parent (a namespace's",
    "pcns.* labels, a service account's pcsa.* labels); own labels shadow parents, parents are",
    'checked in order.',
    '',
    'With --batch FILE (- for stdin) it reads JSON lines {"selector": "...", "labels": {...},',
    '"parents": [{...}]} and writes one JSON line per input, in order: {"valid", "canonical",',
    '"uniqueID", "matches"}, or {"valid": false, "error"} for an invalid selector or a bad line.',
    'The exit code is 1 if any line was invalid, so CI can lint selectors in bulk.',
  ].join('\n'),
  args: [{ name: 'SELECTOR', optional: true }],
  flags: [
    { name: 'labels', short: 'l', type: 'string', value: 'K=V,...', help: "The endpoint's own labels" },
    { name: 'parent-labels', type: 'string', multiple: true, value: 'K=V,...', help: 'Labels of one parent' },
    { name: 'batch', type: 'string', value: 'FILE', help: 'Read JSON lines from FILE (- for stdin)' },
  ],
  examples: [
    `kubectl mesh selector eval 'app == "web" && pcns.team == "pay"' --labels app=web --parent-labels pcns.team=pay`,
    `kubectl mesh selector eval --batch selectors.jsonl`,
  ],
  async run(ctx) {
    const batch = ctx.flags.batch as string | undefined;
    if (batch !== undefined) {
      if (ctx.args.length > 0) throw usageError('give either SELECTOR or --batch, not both');
      return evalBatch(ctx, batch);
    }
    const src = ctx.args[0];
    if (src === undefined) throw usageError('expected SELECTOR (or --batch FILE)');
    const labels = parseLabels((ctx.flags.labels as string | undefined) ?? '', '--labels');
    const parents: Labels[] = ((ctx.flags['parent-labels'] as string[] | undefined) ?? []).map((p) =>
      parseLabels(p, '--parent-labels'),
    );
    const core = ctx.core();
    const info = core.inspect(src);
    if (!info.valid) throw caretError(src, info);
    const matches = core.matches(src, labels, parents);
    ctx.out.print({ matches, canonical: info.canonical, uniqueID: info.uniqueID }, [
      { header: 'matches', get: (r) => r.matches },
      { header: 'canonical', get: (r) => r.canonical },
      { header: 'unique id', get: (r) => r.uniqueID, wide: true },
    ]);
    return 0;
  },
};
