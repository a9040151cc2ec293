// krew.test.ts: plugins/mesh.yaml is a krew manifest that installs kubectl-mesh, and completion
// answers kubectl's __complete protocol in-process.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import type { IO } from '../../cli/command.js';
import { GROUPS } from '../index.js';
import { complete } from './index.js';

interface Platform {
  selector: { matchLabels: Record<string, string> };
  uri: string;
  sha256: string;
  bin: string;
}

test('plugins/mesh.yaml parses and installs kubectl-mesh', () => {
  const m = parse(readFileSync(new URL('../../../plugins/mesh.yaml', import.meta.url), 'utf8')) as {
    apiVersion: string;
    kind: string;
    metadata: { name: string };
    spec: { version: string; shortDescription: string; platforms: Platform[] };
  };
  assert.equal(m.apiVersion, 'krew.googlecontainertools.github.com/v1alpha2');
  assert.equal(m.kind, 'Plugin');
  assert.equal(m.metadata.name, 'mesh');
  assert.match(m.spec.version, /^v\d+\.\d+\.\d+$/);
  assert.ok(m.spec.platforms.length > 0);
  for (const p of m.spec.platforms) {
    assert.equal(p.bin, 'kubectl-mesh');
    assert.match(p.uri, /\.(tar\.gz|zip)$/);
    assert.match(p.sha256, /^[0-9a-f]{64}$/);
    assert.ok(p.selector.matchLabels.os);
  }
});

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
