// archive.ts: container image archives without a registry or a container engine. An archive is
// written in the `docker save` layout (manifest.json, one config, one layer.tar) from a folder
// that holds the image's root file system; `ctr images import` and `docker load` read it.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** ImageConfig is what a container runtime reads from an image besides its files. */
export interface ImageConfig {
  /** Program and arguments run by default (Docker's ENTRYPOINT). */
  entrypoint?: string[];
  /** Default arguments appended to the entrypoint (Docker's CMD). */
  cmd?: string[];
  /** User (name or uid[:gid]) the process runs as; default root. */
  user?: string;
  /** Environment as NAME=value entries. */
  env?: string[];
  workingDir?: string;
  /** TCP ports the image listens on (informational). */
  exposedPorts?: number[];
  labels?: Record<string, string>;
}

/** ImageArchiveSpec names the image, the folder holding its root file system and its config. */
export interface ImageArchiveSpec {
  /** Reference recorded in the archive, e.g. localhost/fedmesh:0.1.0 (a tag is required). */
  ref: string;
  rootfs: string;
  config?: ImageConfig;
}

/** ImageArchive describes a written archive. */
export interface ImageArchive {
  ref: string;
  path: string;
  /** sha256 of the image config: the image ID that `ctr images ls` shows. */
  configDigest: string;
  /** sha256 of the uncompressed layer (the config's rootfs.diff_ids entry). */
  layerDigest: string;
}

const REF =
  /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[0-9]+)?(?:\/[a-z0-9._-]+)*:[\w][\w.-]{0,127}$/;

/** validateImageRef throws unless ref is name:tag with a lower-case name, as registries require. */
export function validateImageRef(ref: string): void {
  if (!REF.test(ref))
    throw new Error(`image reference "${ref}" must be NAME:TAG with a lower-case name, e.g. localhost/app:1`);
}

/**
 * writeImageArchive writes spec's image to out as a docker-save tar, atomically (a reader never
 * sees half a file). The same rootfs and config give the same bytes: entries are sorted, owned by
 * root and dated 1970, so the image ID only changes when the content does.
 */
export async function writeImageArchive(spec: ImageArchiveSpec, out: string): Promise<ImageArchive> {
  validateImageRef(spec.ref);
  if (!existsSync(spec.rootfs) || !statSync(spec.rootfs).isDirectory())
    throw new Error(`image root file system ${spec.rootfs} is not a folder`);
  await mkdir(dirname(out), { recursive: true });
  const work = mkdtempSync(join(dirname(out), '.image-'));
  try {
    const layerDigest = await writeLayer(spec.rootfs, join(work, 'layer.tar'));
    const layerDir = join(work, layerDigest);
    await mkdir(layerDir);
    renameSync(join(work, 'layer.tar'), join(layerDir, 'layer.tar'));
    const config = JSON.stringify(imageConfig(spec.config ?? {}, layerDigest));
    const configDigest = sha256(config);
    await writeFile(join(work, `${configDigest}.json`), config);
    const manifest = [
      { Config: `${configDigest}.json`, RepoTags: [spec.ref], Layers: [`${layerDigest}/layer.tar`] },
    ];
    await writeFile(join(work, 'manifest.json'), JSON.stringify(manifest));
    await tar(work, ['manifest.json', `${configDigest}.json`, layerDigest], join(work, 'image.tar'));
    renameSync(join(work, 'image.tar'), out);
    return { ref: spec.ref, path: out, configDigest, layerDigest };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// imageConfig is the OCI/Docker image config JSON for one layer.
function imageConfig(c: ImageConfig, layerDigest: string): object {
  const config: Record<string, unknown> = {};
  if (c.entrypoint) config.Entrypoint = c.entrypoint;
  if (c.cmd) config.Cmd = c.cmd;
  if (c.user) config.User = c.user;
  config.Env = c.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
  if (c.workingDir) config.WorkingDir = c.workingDir;
  if (c.exposedPorts) config.ExposedPorts = Object.fromEntries(c.exposedPorts.map((p) => [`${p}/tcp`, {}]));
  if (c.labels) config.Labels = c.labels;
  return {
    architecture: 'amd64',
    os: 'linux',
    created: '1970-01-01T00:00:00Z',
    config,
    rootfs: { type: 'layers', diff_ids: [`sha256:${layerDigest}`] },
    history: [{ created: '1970-01-01T00:00:00Z', created_by: 'fedmesh writeImageArchive' }],
  };
}

// writeLayer tars rootfs (reproducibly) into path and returns the layer's sha256.
async function writeLayer(rootfs: string, path: string): Promise<string> {
  const entries = readdirSync(rootfs).sort();
  if (entries.length === 0) throw new Error(`image root file system ${rootfs} is empty`);
  await tar(rootfs, entries, path);
  return sha256File(path);
}

async function tar(cwd: string, entries: string[], out: string): Promise<void> {
  await run('tar', [
    '--sort=name',
    '--mtime=@0',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--format=gnu',
    '-C',
    cwd,
    '-cf',
    out,
    '--',
    ...entries,
  ]);
}

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}
