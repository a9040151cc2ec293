// command.ts: commands are data (name, summary, arguments, flags, examples) plus one run().
// The router, the flag parser and the help text are generated from this description.
import type { Core } from '../../core/index.js';
import type { OutputFormat, Printer } from './printer.js';

/** FlagSpec describes one flag, in the shape node:util parseArgs takes plus help text. */
export interface FlagSpec {
  name: string;
  short?: string;
  type: 'string' | 'boolean';
  multiple?: boolean;
  value?: string; // placeholder shown in help, e.g. FILE
  help: string;
}

/** GlobalOptions are the kubectl-style flags every command accepts. */
export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces: boolean;
  output: OutputFormat;
  /** Per-request timeout in milliseconds (--request-timeout); 0 means none. */
  requestTimeoutMs: number;
}

export type { OutputFormat } from './printer.js';

/** IO is the process's standard streams, injected so tests run commands in-process. */
export interface IO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  stdin: () => AsyncIterable<string>; // lines
  readFile: (path: string) => AsyncIterable<string>; // lines
}

/** Context is what a command's run() receives. */
export interface Context {
  args: string[];
  flags: Record<string, string | boolean | string[] | undefined>;
  global: GlobalOptions;
  io: IO;
  out: Printer;
  core: () => Core;
}

/** Command is one leaf command, e.g. `selector validate`. */
export interface Command {
  name: string;
  summary: string;
  args: { name: string; optional?: boolean }[];
  description?: string;
  flags?: FlagSpec[];
  examples?: string[];
  run: (ctx: Context) => Promise<number>;
}

/** Group is a command with subcommands, e.g. `selector`, or a top-level command (leaf), e.g. `install`. */
export interface Group {
  name: string;
  summary: string;
  description?: string;
  commands: Command[];
  /** leaf makes the group itself the command: `kubectl mesh install ...` (commands is then empty). */
  leaf?: Command;
}

/** GLOBAL_FLAGS are kubectl's conventional flags (reference/kubernetes-aggregation.md section 8). */
export const GLOBAL_FLAGS: FlagSpec[] = [
  {
    name: 'kubeconfig',
    type: 'string',
    value: 'PATH',
    help: 'Path to the kubeconfig file (default $KUBECONFIG or ~/.kube/config)',
  },
  { name: 'context', type: 'string', value: 'NAME', help: 'The kubeconfig context to use' },
  {
    name: 'namespace',
    short: 'n',
    type: 'string',
    value: 'NS',
    help: 'The namespace scope for this request',
  },
  { name: 'all-namespaces', short: 'A', type: 'boolean', help: 'List across all namespaces' },
  {
    name: 'output',
    short: 'o',
    type: 'string',
    value: 'FORMAT',
    help: 'Output format: table (default), wide, json or yaml',
  },
  {
    name: 'request-timeout',
    type: 'string',
    value: 'DURATION',
    help: 'How long to wait for one API request, e.g. 30s (0 or unset: no limit)',
  },
  { name: 'help', short: 'h', type: 'boolean', help: 'Show help for this command' },
];
