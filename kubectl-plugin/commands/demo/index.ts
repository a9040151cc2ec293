// index.ts: `kubectl mesh demo`, a top-level command.
import type { Group } from '../../cli/command.js';
import { demoCommand } from './demo.js';

/** demoGroup is `kubectl mesh demo`. */
export const demoGroup: Group = {
  name: 'demo',
  summary: demoCommand.summary,
  commands: [],
  leaf: demoCommand,
};
