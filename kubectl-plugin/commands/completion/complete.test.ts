// complete.test.ts: completion answers kubectl's __complete protocol in-process. (The krew manifest
// is generated at release; test/release/release.test.ts checks it.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { IO } from '../../cli/command.js';
import { GROUPS } from '../index.js';
import { complete } from './index.js';

async function completions(...args: string[]): Promise<string[]> {
  let out = '';
  const io = { stdout: (s: string) => (out += s), stderr: () => undefined } as unknown as IO;
  await complete(GROUPS, args, io);
  return out.trimEnd().split('\n');
}

const cases: { name: string; args: string[]; want: string[] }[] = [
  { name: 'command names', args: [''], want: ['install', 'uninstall', 'status', 'diagnose', ':4'] },
  { name: 'a command prefix', args: ['un'], want: ['uninstall', ':4'] },
  { name: 'flags of a command', args: ['install', '--ro'], want: ['--rotate-certs', ':4'] },
  { name: 'output formats', args: ['status', '-o', ''], want: ['table', 'wide', 'json', 'yaml', ':4'] },
  { name: 'a file for --kubeconfig', args: ['status', '--kubeconfig', ''], want: [':0'] },
];

for (const c of cases) {
  test(`__complete: ${c.name}`, async () => {
    const got = await completions(...c.args);
    for (const w of c.want) assert.ok(got.includes(w), `${w} in ${got.join(' ')}`);
    assert.equal(got.at(-1), c.want.at(-1));
  });
}
