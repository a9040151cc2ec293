// validate.ts: `kubectl mesh selector validate SELECTOR`.
import type { Command } from '../../cli/command.js';
import { SELECTOR_COLUMNS, caretError } from './show.js';

/** validateCommand checks a selector; invalid ones exit 1 with the error and a caret under it. */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'Check that a selector is valid; exit 1 with the error and its position if not',
  args: [{ name: 'SELECTOR' }],
  examples: [
    `kubectl mesh selector validate 'app == "web" && tier in {"frontend", "api"}'`,
    `kubectl mesh selector validate -o json '!has(team)'`,
  ],
  async run(ctx) {
    const src = ctx.args[0]!;
    const info = ctx.core().inspect(src);
    if (!info.valid) {
      if (ctx.global.output === 'json' || ctx.global.output === 'yaml') ctx.out.print(info, []);
      throw caretError(src, info);
    }
    ctx.out.print({ canonical: info.canonical, uniqueID: info.uniqueID, valid: true }, [
      { header: 'valid', get: () => 'true' },
      ...SELECTOR_COLUMNS,
    ]);
    return 0;
  },
};
