// test-images.ts: the images real test nodes run, built from files into archives and cached:
// a pause image (the pod sandbox) and a workload image (static busybox from Debian's package
// plus fedmesh-echo, a TCP/HTTP echo that reports the peer address it saw).
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { writeImageArchive, type ImageArchive } from './archive.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
// Sources live beside this file in the checkout; from dist/ they are two levels up.
const sources = existsSync(join(here, 'go.mod')) ? here : join(here, '../../../test/images');

/** TestImages are the archives a node imports, with their references for pod specs. */
export interface TestImages {
  pause: ImageArchive;
  workload: ImageArchive;
}

/** ECHO_TCP_PORT and ECHO_HTTP_PORT are where the workload image's default command listens. */
export const ECHO_TCP_PORT = 8080;
export const ECHO_HTTP_PORT = 8081;

const GO_FILES = ['go.mod', 'cmd/pause/main.go', 'cmd/echo/main.go'];

/** testImagesKey hashes everything the images are made of, so a change makes new tags. */
export function testImagesKey(busyboxDeb: string): string {
  const h = createHash('sha256');
  for (const f of [...GO_FILES, 'archive.ts', 'test-images.ts']) {
    const p = join(sources, f);
    h.update(f).update(existsSync(p) ? readFileSync(p) : '');
  }
  return h.update(basename(busyboxDeb)).digest('hex').slice(0, 12);
}

/** ensureTestImages returns the cached archives under cacheDir/images, building them when missing. */
export async function ensureTestImages(busyboxDeb: string, cacheDir: string): Promise<TestImages> {
  const tag = testImagesKey(busyboxDeb);
  const dir = join(cacheDir, 'images', tag);
  const refs = { pause: `localhost/fedmesh-pause:${tag}`, workload: `localhost/fedmesh-workload:${tag}` };
  const done = join(dir, 'images.json');
  if (existsSync(done)) return JSON.parse(readFileSync(done, 'utf8')) as TestImages;
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(dir, '.build-'));
  try {
    const bin = join(work, 'bin');
    await run('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', bin + '/', './cmd/pause', './cmd/echo'], {
      cwd: sources,
      env: { ...process.env, CGO_ENABLED: '0', GOTOOLCHAIN: 'local' },
    });
    const images: TestImages = {
      pause: await writeImageArchive(
        {
          ref: refs.pause,
          rootfs: await pauseRootfs(work, bin),
          config: { entrypoint: ['/pause'], user: '65535:65535' },
        },
        join(dir, 'pause.tar'),
      ),
      workload: await writeImageArchive(
        {
          ref: refs.workload,
          rootfs: await workloadRootfs(work, bin, busyboxDeb),
          config: {
            entrypoint: ['/bin/fedmesh-echo'],
            exposedPorts: [ECHO_TCP_PORT, ECHO_HTTP_PORT],
          },
        },
        join(dir, 'workload.tar'),
      ),
    };
    await writeFile(done + '.tmp', JSON.stringify(images, null, 2));
    renameSync(done + '.tmp', done);
    return images;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function pauseRootfs(work: string, bin: string): Promise<string> {
  const root = join(work, 'pause-rootfs');
  mkdirSync(root);
  await copyFile(join(bin, 'pause'), join(root, 'pause'));
  chmodSync(join(root, 'pause'), 0o755);
  return root;
}

// workloadRootfs: busybox with a link per applet (sh, nc, wget, ip, sleep ...), fedmesh-echo,
// and the few files programs expect (passwd, group, hosts).
async function workloadRootfs(work: string, bin: string, busyboxDeb: string): Promise<string> {
  const deb = join(work, 'busybox-deb');
  await run('dpkg-deb', ['-x', busyboxDeb, deb]);
  const root = join(work, 'workload-rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'proc', 'sys', 'dev', 'root'])
    mkdirSync(join(root, d), { recursive: true });
  chmodSync(join(root, 'tmp'), 0o1777);
  await copyFile(join(deb, 'bin/busybox'), join(root, 'bin/busybox'));
  chmodSync(join(root, 'bin/busybox'), 0o755);
  const { stdout } = await run(join(root, 'bin/busybox'), ['--list']);
  for (const applet of stdout.split('\n').filter((a) => /^[\w.[-]+$/.test(a) && a !== 'busybox'))
    symlinkSync('busybox', join(root, 'bin', applet));
  await copyFile(join(bin, 'echo'), join(root, 'bin/fedmesh-echo'));
  chmodSync(join(root, 'bin/fedmesh-echo'), 0o755);
  await writeFile(
    join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n',
  );
  await writeFile(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  await writeFile(join(root, 'etc/hosts'), '127.0.0.1 localhost\n');
  return root;
}
