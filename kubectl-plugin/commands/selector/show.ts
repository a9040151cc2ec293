// show.ts: shared output pieces of the selector commands.
import type { SelectorInfo } from '../../../core/index.js';
import type { Column } from '../../cli/printer.js';
import { CliError } from '../../cli/errors.js';

/** caretError builds the error for an invalid selector: the message, the selector, a caret under the position. */
export function caretError(selector: string, info: Extract<SelectorInfo, { valid: false }>): CliError {
  // Tabs stay tabs under the caret so it lines up in a terminal.
  const pad = selector.slice(0, info.position).replace(/[^\t]/g, ' ');
  const shown = selector.replace(/\n/g, '\u2424').replace(/\r/g, '\u240d');
  return new CliError(
    'EINVALID',
    `invalid selector at position ${info.position}: ${info.error}`,
    `  ${shown}\n  ${pad}^`,
  );
}

/** SELECTOR_COLUMNS show a valid selector's canonical form and unique ID. */
export const SELECTOR_COLUMNS: Column<{ canonical: string; uniqueID: string }>[] = [
  { header: 'canonical', get: (s) => s.canonical },
  { header: 'unique id', get: (s) => s.uniqueID },
];
