// imports.test.ts: the import direction between fedmesh's top-level folders (DESIGN section 2):
// api/ imports nothing of ours; core/ only api/; apiserver/, kubectl-plugin/ and node/ only api/ and
// core/ besides themselves, so a node agent or a controller never reaches into another part.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { packageRoot } from '../harness/root.js';

const root = packageRoot();
const ALLOWED: Record<string, string[]> = {
  api: [],
  core: ['api'],
  apiserver: ['api', 'core'],
  'kubectl-plugin': ['api', 'core'],
  node: ['api', 'core'],
};

function sources(dir: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out; // a part not started yet has no folder
  }
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (n.endsWith('.ts') && !n.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

// Relative module specifiers of import and export-from statements.
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) => m[1]!);
}

describe('import direction between top-level folders', () => {
  for (const [part, allowed] of Object.entries(ALLOWED)) {
    it(`${part}/ imports only ${allowed.length ? allowed.map((a) => `${a}/`).join(' and ') : 'itself'}`, () => {
      const bad: string[] = [];
      for (const file of sources(join(root, part))) {
        for (const spec of imports(file)) {
          const top = relative(root, resolve(dirname(file), spec)).split('/')[0]!;
          if (top !== part && !allowed.includes(top)) bad.push(`${relative(root, file)} imports ${spec}`);
        }
      }
      assert.deepEqual(bad, []);
    });
  }
});
