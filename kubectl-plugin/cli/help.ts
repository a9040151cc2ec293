// help.ts: help text generated from the command descriptions, so help and flags cannot drift.
import type { Command, FlagSpec, Group } from './command.js';
import { GLOBAL_FLAGS } from './command.js';

const PROG = 'kubectl mesh';

/** rootHelp lists the command groups. */
export function rootHelp(groups: Group[]): string {
  return [
    'kubectl mesh: see, select and reach the endpoints of every cluster in a fedmesh mesh.',
    '',
    'Commands:',
    ...rows(groups.map((g) => [g.name, g.summary])),
    '',
    `Usage: ${PROG} COMMAND [SUBCOMMAND] [flags]`,
    `Run '${PROG} COMMAND --help' for more about a command.`,
    '',
  ].join('\n');
}

/** groupHelp lists a group's subcommands. */
export function groupHelp(g: Group): string {
  return [
    g.description ?? g.summary,
    '',
    'Commands:',
    ...rows(g.commands.map((c) => [c.name, c.summary])),
    '',
    `Usage: ${PROG} ${g.name} COMMAND [flags]`,
    `Run '${PROG} ${g.name} COMMAND --help' for more about a command.`,
    '',
  ].join('\n');
}

/** commandHelp describes one command: usage, description, flags, global flags, examples. */
export function commandHelp(g: Group, c: Command): string {
  const out = [c.description ?? c.summary, '', `Usage: ${usageLine(g, c)}`];
  if (c.examples?.length) out.push('', 'Examples:', ...c.examples.map((e) => `  ${e}`));
  if (c.flags?.length) out.push('', 'Flags:', ...flagRows(c.flags));
  out.push('', 'Global flags:', ...flagRows(GLOBAL_FLAGS), '');
  return out.join('\n');
}

/** usageLine is the one-line synopsis of a command. */
export function usageLine(g: Group, c: Command): string {
  const args = c.args.map((a) => (a.optional ? `[${a.name}]` : a.name));
  return [PROG, g.name, ...(g.leaf ? [] : [c.name]), ...args, '[flags]'].join(' ');
}

function flagRows(flags: FlagSpec[]): string[] {
  return rows(
    flags.map((f) => {
      const name = (f.short ? `-${f.short}, ` : '    ') + `--${f.name}` + (f.value ? ` ${f.value}` : '');
      return [name, f.help + (f.multiple ? ' (repeatable)' : '')];
    }),
  );
}

function rows(pairs: string[][]): string[] {
  const w = Math.max(0, ...pairs.map((p) => p[0]!.length));
  return pairs.map(([a, b]) => `  ${a!.padEnd(w)}   ${b}`);
}
