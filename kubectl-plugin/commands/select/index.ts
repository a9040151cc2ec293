// index.ts: `kubectl mesh select`, a top-level command.
import type { Group } from '../../cli/command.js';
import { selectCommand } from './select.js';

/** selectGroup is `kubectl mesh select`. */
export const selectGroup: Group = {
  name: 'select',
  summary: selectCommand.summary,
  commands: [],
  leaf: selectCommand,
};
