// manifests.ts: the kustomize base in manifests/, rendered here rather than by `kubectl kustomize`:
// the base is a plain list of resources (no patches or generators), so reading the files listed in
// kustomization.yaml is exact, needs no kustomize binary, and works for --dry-run=client offline.
// Anything else in kustomization.yaml is refused, so a future patch cannot be silently ignored.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';
import { CliError } from '../../cli/errors.js';

/** Manifest is one object of the base and the file it came from (relative to manifests/). */
export interface Manifest {
  file: string;
  obj: KubernetesObject & Record<string, unknown>;
}

const HANDLED = new Set(['apiVersion', 'kind', 'resources']);

/** manifestsDir finds manifests/ in the fedmesh checkout (from sources or from dist/). */
export function manifestsDir(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'fedmesh')
      return join(dir, 'manifests');
    const up = dirname(dir);
    if (up === dir) throw new CliError('ENOTBUILT', `cannot find the fedmesh manifests above ${from}`);
    dir = up;
  }
}

/** readBase returns the objects of the kustomize base in dir, in kustomization order. */
export function readBase(dir: string = manifestsDir()): Manifest[] {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Record<string, unknown>;
  const extra = Object.keys(k).filter((key) => !HANDLED.has(key));
  if (extra.length > 0)
    throw new CliError(
      'EINTERNAL',
      `manifests/kustomization.yaml uses ${extra.join(', ')}, which install does not render`,
    );
  return ((k.resources as string[] | undefined) ?? []).flatMap((file) => readFile(dir, file));
}

function readFile(dir: string, file: string): Manifest[] {
  return parseAllDocuments(readFileSync(join(dir, file), 'utf8'))
    .map((d) => d.toJS() as Manifest['obj'] | null)
    .filter((obj): obj is Manifest['obj'] => obj !== null && typeof obj === 'object' && 'kind' in obj)
    .map((obj) => ({ file, obj }));
}

/** isLocalModeFile says whether a base file is applied in local mode (no in-cluster server). */
export function isLocalModeFile(file: string): boolean {
  return file === 'namespace.yaml' || file.startsWith('crds/') || file === 'rbac-users.yaml';
}
