// index.ts: `kubectl mesh explain`, a top-level command.
import type { Group } from '../../cli/command.js';
import { explainCommand } from './explain.js';

/** explainGroup is `kubectl mesh explain`. */
export const explainGroup: Group = {
  name: 'explain',
  summary: explainCommand.summary,
  commands: [],
  leaf: explainCommand,
};
