// fedmesh-image.ts: the fedmesh image of the Containerfile, built from files into an archive
// (no registry or image builder runs here): scripts/build-cni.mjs and scripts/image-files.mjs make
// /opt/fedmesh, the launchers and the standalone fedmesh-cni exactly as the Containerfile's build
// stage does, and this machine's Node runtime stands in for the distroless base: /nodejs/bin/node
// with the libraries it links, and the nonroot user.
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../harness/root.js';
import { writeImageArchive, type ImageArchive } from './archive.js';

const run = promisify(execFile);

/** NONROOT is the distroless nonroot user the Deployment runs as (runAsUser 65532). */
export const NONROOT = 65532;

/** fedmeshImageRef is the reference the test image is tagged with (never pulled: imported). */
export function fedmeshImageRef(): string {
  const { version } = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    version: string;
  };
  return `localhost/fedmesh:v${version}-local`;
}

/** buildFedmeshImage writes the image archive to out (the checkout must be built: npm run build;
 * it builds the standalone fedmesh-cni itself). */
export async function buildFedmeshImage(out: string): Promise<ImageArchive> {
  const work = mkdtempSync(join(dirname(out), '.fedmesh-image-'));
  try {
    const rootfs = join(work, 'rootfs');
    await run(process.execPath, [join(packageRoot(), 'scripts/build-cni.mjs')], { maxBuffer: 16 << 20 });
    await run(process.execPath, [join(packageRoot(), 'scripts/image-files.mjs'), rootfs], {
      maxBuffer: 16 << 20,
    });
    await nodeRuntime(rootfs);
    return await writeImageArchive(
      {
        ref: fedmeshImageRef(),
        rootfs,
        config: {
          entrypoint: ['fedmesh-apiserver'],
          user: `${NONROOT}:${NONROOT}`,
          env: ['PATH=/usr/local/bin:/nodejs/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'NODE_ENV=production'],
          workingDir: '/opt/fedmesh',
        },
      },
      out,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// nodeRuntime copies this machine's node to /nodejs/bin/node with every library ldd lists at its
// own path, and writes the files the distroless base has (passwd and group with nonroot, /tmp).
async function nodeRuntime(rootfs: string): Promise<void> {
  const node = realpathSync(process.execPath);
  place(node, join(rootfs, 'nodejs/bin/node'));
  const { stdout } = await run('ldd', [node]);
  for (const m of stdout.matchAll(/(?:=> )?(\/\S+) \(0x/g)) place(m[1]!, join(rootfs, m[1]!));
  mkdirSync(join(rootfs, 'etc'), { recursive: true });
  await writeFile(
    join(rootfs, 'etc/passwd'),
    `root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:${NONROOT}:${NONROOT}:nonroot:/home/nonroot:/sbin/nologin\n`,
  );
  await writeFile(join(rootfs, 'etc/group'), `root:x:0:\nnonroot:x:${NONROOT}:\n`);
  for (const d of ['tmp', `home/nonroot`]) mkdirSync(join(rootfs, d), { recursive: true });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
}

// place copies the file a path resolves to (libraries are often symlinks) to dest, executable.
function place(src: string, dest: string): void {
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(realpathSync(src), dest);
  chmodSync(dest, 0o755);
}
