// canonical.ts: `kubectl mesh selector canonical SELECTOR`.
import type { Command } from '../../cli/command.js';
import { SELECTOR_COLUMNS, caretError } from './show.js';

/** canonicalCommand prints a selector's canonical form and its Calico unique ID. */
export const canonicalCommand: Command = {
  name: 'canonical',
  summary: 'Print the canonical form and unique ID of a selector',
  description: [
    "Print the canonical form of a selector (what Calico's String() prints) and its unique ID,",
    '"s:" + base64url(SHA-224("s:" + canonical)): equivalent spellings share one ID and one IP set.',
  ].join('\n'),
  args: [{ name: 'SELECTOR' }],
  examples: [`kubectl mesh selector canonical "app=='web'&&has(tier)"`],
  async run(ctx) {
    const src = ctx.args[0]!;
    const info = ctx.core().inspect(src);
    if (!info.valid) throw caretError(src, info);
    ctx.out.print({ canonical: info.canonical, uniqueID: info.uniqueID }, SELECTOR_COLUMNS);
    return 0;
  },
};
