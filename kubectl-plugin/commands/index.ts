// index.ts: the one list of what kubectl-mesh serves; a new command group is one line here.
import type { Group } from '../cli/command.js';
import { connectGroup, disconnectGroup } from './connect/index.js';
import { demoGroup } from './demo/index.js';
import { diagnoseGroup } from './diagnose/index.js';
import { explainGroup } from './explain/index.js';
import { installGroup } from './install/index.js';
import { selectGroup } from './select/index.js';
import { selectorGroup } from './selector/index.js';
import { statusGroup } from './status/index.js';
import { uninstallGroup } from './uninstall/index.js';

/** GROUPS are the command groups of kubectl-mesh, in help order. */
export const GROUPS: Group[] = [
  installGroup,
  uninstallGroup,
  statusGroup,
  diagnoseGroup,
  connectGroup,
  disconnectGroup,
  selectGroup,
  explainGroup,
  demoGroup,
  selectorGroup,
];
