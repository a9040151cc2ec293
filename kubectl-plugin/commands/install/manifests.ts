// manifests.ts: the kustomize base in manifests/, rendered here rather than by `kubectl kustomize`:
// the base is a plain list of resources plus the kustomize `images:` transformer (where the image
// is set once), so reading the files listed in kustomization.yaml is exact, needs no kustomize
// binary, and works for --dry-run=client offline. Anything else in kustomization.yaml is refused,
// so a future patch cannot be silently ignored.
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

const HANDLED = new Set(['apiVersion', 'kind', 'resources', 'images']);

/** KustomizeImage is an entry of kustomization.yaml `images:` (kustomize's image transformer). */
export interface KustomizeImage {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** FEDMESH_IMAGE is the image name the manifests use; kustomization.yaml `images:` sets its reference. */
export const FEDMESH_IMAGE = 'fedmesh';

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

/**
 * readBase returns the objects of the kustomize base in dir, in kustomization order, with the
 * `images:` of kustomization.yaml applied; image (a full reference) replaces the fedmesh image.
 */
export function readBase(dir: string = manifestsDir(), image?: string): Manifest[] {
  const k = parse(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Record<string, unknown>;
  const extra = Object.keys(k).filter((key) => !HANDLED.has(key));
  if (extra.length > 0)
    throw new CliError(
      'EINTERNAL',
      `manifests/kustomization.yaml uses ${extra.join(', ')}, which install does not render`,
    );
  const refs = imageRefs((k.images as KustomizeImage[] | undefined) ?? []);
  if (image !== undefined) refs.set(FEDMESH_IMAGE, image);
  const base = ((k.resources as string[] | undefined) ?? []).flatMap((file) => readFile(dir, file));
  for (const m of base) setImages(m.obj, refs);
  return base;
}

// imageRefs maps each image name of `images:` to the reference kustomize writes for it.
function imageRefs(images: KustomizeImage[]): Map<string, string> {
  return new Map(
    images.map((i) => {
      const name = i.newName ?? i.name;
      return [i.name, i.digest ? `${name}@${i.digest}` : i.newTag ? `${name}:${i.newTag}` : name];
    }),
  );
}

/** imageName is a reference without its tag or digest (kustomize matches images by it). */
export function imageName(ref: string): string {
  const at = ref.indexOf('@');
  const noDigest = at >= 0 ? ref.slice(0, at) : ref;
  const colon = noDigest.lastIndexOf(':');
  return colon > noDigest.lastIndexOf('/') ? noDigest.slice(0, colon) : noDigest;
}

// setImages rewrites the containers and init containers of a pod template, as kustomize does.
function setImages(obj: Manifest['obj'], refs: Map<string, string>): void {
  const spec = (obj.spec as { template?: { spec?: Record<string, unknown> } } | undefined)?.template?.spec;
  for (const key of ['containers', 'initContainers']) {
    for (const c of (spec?.[key] as { image?: string }[] | undefined) ?? []) {
      const ref = c.image === undefined ? undefined : refs.get(imageName(c.image));
      if (ref !== undefined) c.image = ref;
    }
  }
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
