// index.ts: `kubectl mesh connect` and `kubectl mesh disconnect`, top-level commands.
import type { Group } from '../../cli/command.js';
import { connectCommand } from './connect.js';
import { disconnectCommand } from './disconnect.js';

/** connectGroup is `kubectl mesh connect`. */
export const connectGroup: Group = {
  name: 'connect',
  summary: connectCommand.summary,
  commands: [],
  leaf: connectCommand,
};

/** disconnectGroup is `kubectl mesh disconnect`. */
export const disconnectGroup: Group = {
  name: 'disconnect',
  summary: disconnectCommand.summary,
  commands: [],
  leaf: disconnectCommand,
};
