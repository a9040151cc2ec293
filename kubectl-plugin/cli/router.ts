// router.ts: turns argv into a command and its context (flags parsed with node:util parseArgs,
// which ships with Node and covers kubectl's short/long, repeated and `--` conventions).
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { Core } from '../../core/index.js';
import type { Command, Context, FlagSpec, Group, IO } from './command.js';
import { GLOBAL_FLAGS } from './command.js';
import { CliError, renderError, usageError } from './errors.js';
import { commandHelp, groupHelp, rootHelp, usageLine } from './help.js';
import { parseDuration } from '../kube/duration.js';
import { Printer, parseOutput } from './printer.js';

/** dispatch runs the command argv names and returns the exit code; errors are printed here. */
export async function dispatch(groups: Group[], argv: string[], io: IO): Promise<number> {
  let where = '';
  try {
    const [groupName, cmdName, ...rest] = argv;
    if (groupName === undefined || isHelp(groupName)) return print(io, rootHelp(groups));
    const g = groups.find((x) => x.name === groupName);
    if (!g) throw usageError(`unknown command ${JSON.stringify(groupName)} for "kubectl mesh"`);
    where = g.name;
    if (g.leaf) return await runCommand(g, g.leaf, argv.slice(1), io);
    if (cmdName === undefined || isHelp(cmdName)) return print(io, groupHelp(g));
    const c = g.commands.find((x) => x.name === cmdName);
    if (!c) throw usageError(`unknown command ${JSON.stringify(cmdName)} for "kubectl mesh ${g.name}"`);
    where = `${g.name} ${c.name}`;
    return await runCommand(g, c, rest, io);
  } catch (err) {
    io.stderr(renderError(err, where || 'COMMAND'));
    return 1;
  }
}

async function runCommand(g: Group, c: Command, argv: string[], io: IO): Promise<number> {
  const ctx = parse(g, c, argv, io);
  if (ctx === null) return print(io, commandHelp(g, c));
  return c.run(ctx);
}

function isHelp(a: string): boolean {
  return a === '-h' || a === '--help' || a === 'help';
}

function print(io: IO, text: string): number {
  io.stdout(text);
  return 0;
}

// parse builds the context, or returns null when help was asked for.
function parse(g: Group, c: Command, argv: string[], io: IO): Context | null {
  const specs = [...GLOBAL_FLAGS, ...(c.flags ?? [])];
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: options(specs), allowPositionals: true, strict: true });
  } catch (e) {
    throw usageError(`${(e as Error).message.split('\n')[0]}\nUsage: ${usageLine(g, c)}`);
  }
  const v = parsed.values as Context['flags'];
  if (v.help === true) return null;
  checkArity(g, c, parsed.positionals);
  const output = parseOutput(v.output as string | undefined);
  let core: Core | undefined;
  return {
    args: parsed.positionals,
    flags: v,
    global: {
      kubeconfig: v.kubeconfig as string | undefined,
      context: v.context as string | undefined,
      namespace: v.namespace as string | undefined,
      allNamespaces: v['all-namespaces'] === true,
      output,
      requestTimeoutMs: v['request-timeout']
        ? parseDuration(v['request-timeout'] as string, '--request-timeout')
        : 0,
    },
    io,
    out: new Printer(output, io.stdout),
    core: () => (core ??= loadCore()),
  };
}

function options(specs: FlagSpec[]): NonNullable<ParseArgsConfig['options']> {
  return Object.fromEntries(
    specs.map((f) => [
      f.name,
      { type: f.type, ...(f.short ? { short: f.short } : {}), multiple: f.multiple ?? false },
    ]),
  );
}

function checkArity(g: Group, c: Command, positionals: string[]): void {
  const min = c.args.filter((a) => !a.optional).length;
  if (positionals.length < min || positionals.length > c.args.length) {
    const want = c.args.map((a) => a.name).join(' ') || 'no arguments';
    throw usageError(`expected ${want}, got ${positionals.length} argument(s)\nUsage: ${usageLine(g, c)}`);
  }
}

function loadCore(): Core {
  try {
    return Core.load();
  } catch (e) {
    throw new CliError('ENOTBUILT', (e as Error).message);
  }
}
