// package-files.mjs: what fedmesh ships, defined once: the files `npm pack` packs (package.json
// "files", bin, README, LICENSE) plus the production node_modules. The image (image-files.mjs)
// and the krew archive (release-krew.mjs) both copy exactly this.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** root is the checkout this script belongs to. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** pkg is the checkout's package.json. */
export const pkg = () => JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function npm(args) {
  const r = spawnSync('npm', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed: ${r.stderr}`);
  return r.stdout;
}

/** packedFiles lists what `npm pack` would put in the package, relative to root. */
export function packedFiles() {
  const [pack] = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts']));
  return pack.files.map((f) => f.path);
}

/** productionModules lists the installed packages production code can reach, relative to root. */
export function productionModules() {
  return npm(['ls', '--omit=dev', '--all', '--parseable'])
    .split('\n')
    .filter((p) => p && p !== root)
    .map((p) => relative(root, p))
    .filter((p) => p.startsWith('node_modules'));
}

/** copyPackage copies the shipped files and production node_modules of a built checkout to dest. */
export function copyPackage(dest) {
  if (!existsSync(join(root, 'dist', 'core.wasm')))
    throw new Error('dist/core.wasm is missing; run npm run build');
  for (const f of packedFiles()) cpSync(join(root, f), join(dest, f), { preserveTimestamps: true });
  for (const m of productionModules()) {
    // Nested node_modules are listed (and copied) on their own when production needs them.
    const nested = join(root, m, 'node_modules');
    cpSync(join(root, m), join(dest, m), { recursive: true, filter: (src) => src !== nested });
  }
}
