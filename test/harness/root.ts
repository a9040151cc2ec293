// root.ts: locates the fedmesh checkout, whether running from sources or from dist/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** packageRoot returns the folder of fedmesh's package.json. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'fedmesh') {
      return (cached = dir);
    }
    const up = dirname(dir);
    if (up === dir)
      throw new Error('cannot find the fedmesh package.json above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}
