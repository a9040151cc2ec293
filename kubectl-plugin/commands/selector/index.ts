// index.ts: `kubectl mesh selector`: check and try Calico-compatible selectors offline.
import type { Group } from '../../cli/command.js';
import { canonicalCommand } from './canonical.js';
import { evalCommand } from './eval.js';
import { validateCommand } from './validate.js';

/** selectorGroup is the `selector` command group. */
export const selectorGroup: Group = {
  name: 'selector',
  summary: 'Validate, normalise and evaluate selectors (Calico selector language)',
  description: [
    'Validate, normalise and evaluate selectors offline, with the same WebAssembly core the mesh uses.',
    '',
    'The language is Calico\'s: app == "web", tier != "db", has(team), env in {"prod", "staging"},',
    'env not in {...}, name contains/starts with/ends with "x", all(), global(), combined with !, &&,',
    '|| and parentheses. Strings take single or double quotes, without escapes. A selector starting',
    "with '-' must follow '--' so it is not read as a flag.",
  ].join('\n'),
  commands: [validateCommand, canonicalCommand, evalCommand],
};
