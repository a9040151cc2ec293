// index.ts: `kubectl mesh __complete WORDS... PARTIAL`: shell completion as kubectl asks plugins
// for it (through bin/kubectl_complete-mesh): one candidate per line, then a Cobra directive.
import type { Command, FlagSpec, Group, IO } from '../../cli/command.js';
import { GLOBAL_FLAGS } from '../../cli/command.js';
import { listRCCs, loadKube } from '../../kube/index.js';

/** COMPLETE is the hidden command name kubectl's completion calls. */
export const COMPLETE = '__complete';

// Cobra ShellCompDirective values.
const NO_FILE = 4;
const DEFAULT = 0;

/** Where is what the typed words resolve to. */
interface Where {
  group?: Group;
  command?: Command;
  positionals: number;
  flags: Map<string, string>;
}

/** complete prints the candidates for the last (partial) word of args and returns 0. */
export async function complete(groups: Group[], args: string[], io: IO): Promise<number> {
  const words = args.slice(0, -1);
  const partial = args.at(-1) ?? '';
  const where = resolve(groups, words);
  const { items, directive } = await candidates(groups, where, words.at(-1), partial);
  for (const c of items.filter((x) => x.startsWith(partial))) io.stdout(c + '\n');
  io.stdout(`:${directive}\n`);
  return 0;
}

function specs(w: Where): FlagSpec[] {
  return [...GLOBAL_FLAGS, ...(w.command?.flags ?? [])];
}

function findFlag(w: Where, word: string): FlagSpec | undefined {
  const name = word.replace(/^--?/, '').split('=')[0];
  return specs(w).find((f) => (word.startsWith('--') ? f.name === name : f.short === name));
}

function resolve(groups: Group[], words: string[]): Where {
  const w: Where = { positionals: 0, flags: new Map() };
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.startsWith('-')) {
      const f = findFlag(w, word);
      if (f?.type === 'string' && !word.includes('=')) w.flags.set(f.name, words[++i] ?? '');
      else if (f?.type === 'string') w.flags.set(f.name, word.split('=').slice(1).join('='));
      continue;
    }
    if (!w.group) {
      w.group = groups.find((g) => g.name === word);
      w.command = w.group?.leaf;
    } else if (!w.command) w.command = w.group.commands.find((c) => c.name === word);
    else w.positionals++;
  }
  return w;
}

async function candidates(
  groups: Group[],
  w: Where,
  prev: string | undefined,
  partial: string,
): Promise<{ items: string[]; directive: number }> {
  const pending = prev?.startsWith('-') && !prev.includes('=') ? findFlag(w, prev) : undefined;
  if (pending?.type === 'string') return flagValues(w, pending.name);
  if (partial.startsWith('-')) return { items: specs(w).map((f) => `--${f.name}`), directive: NO_FILE };
  if (!w.group) return { items: groups.map((g) => g.name), directive: NO_FILE };
  if (!w.command) return { items: w.group.commands.map((c) => c.name), directive: NO_FILE };
  if (w.command.name === 'disconnect' && w.positionals === 0)
    return { items: await rccNames(w), directive: NO_FILE };
  return { items: [], directive: NO_FILE };
}

async function flagValues(w: Where, flag: string): Promise<{ items: string[]; directive: number }> {
  if (flag === 'kubeconfig' || flag.endsWith('file')) return { items: [], directive: DEFAULT };
  if (flag === 'output') return { items: ['table', 'wide', 'json', 'yaml'], directive: NO_FILE };
  if (flag === 'context' || flag === 'to-context') return { items: contexts(w), directive: NO_FILE };
  return { items: [], directive: NO_FILE };
}

function contexts(w: Where): string[] {
  try {
    return loadKube({ kubeconfig: w.flags.get('kubeconfig') })
      .kc.getContexts()
      .map((c) => c.name);
  } catch {
    return [];
  }
}

// rccNames lists remote clusters; completion must never fail loudly, so errors give no candidates.
async function rccNames(w: Where): Promise<string[]> {
  try {
    const { kc } = loadKube({ kubeconfig: w.flags.get('kubeconfig'), context: w.flags.get('context') });
    return (await listRCCs(kc)).map((r) => r.metadata.name);
  } catch {
    return [];
  }
}
