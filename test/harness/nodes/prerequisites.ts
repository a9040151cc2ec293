// prerequisites.ts: what real test nodes need before any starts: root, the Debian packages
// (installed by test/controlplane/node-packages.sh when missing), kubelet and kube-proxy beside
// kube-apiserver, and the pause and workload images.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTestImages, type TestImages } from '../../images/test-images.js';
import { packageRoot } from '../root.js';

/** NodePrerequisites are the binaries and images every node uses. */
export interface NodePrerequisites {
  binDir: string;
  images: TestImages;
}

/** nodesUnavailable says why real nodes cannot run in this process, or undefined when they can. */
export function nodesUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'real nodes need Linux (network namespaces, cgroups)';
  if (process.getuid?.() !== 0)
    return 'real nodes need root (network namespaces, cgroups, mounts, containerd); run as root';
  if (!existsSync('/sys/fs/cgroup/pids')) return 'real nodes need cgroup v1 hierarchies under /sys/fs/cgroup';
  return undefined;
}

/** cacheDir is where build.sh keeps binaries ($FEDMESH_CONTROLPLANE_CACHE or .cache/controlplane). */
export const cacheDir = (): string =>
  process.env.FEDMESH_CONTROLPLANE_CACHE ?? join(packageRoot(), '.cache/controlplane');

/** ensureNodePackages installs missing Debian packages (as root) and returns the busybox-static .deb. */
export function ensureNodePackages(): string {
  const script = join(packageRoot(), 'test/controlplane/node-packages.sh');
  const out = execFileSync(script, {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    timeout: 600_000,
  });
  return out.trim().split('\n').pop()!;
}

/** nodePrerequisites checks root and binaries, installs packages and builds the images. */
export async function nodePrerequisites(binDir: string): Promise<NodePrerequisites> {
  const why = nodesUnavailable();
  if (why) throw new Error(why);
  for (const b of ['kubelet', 'kube-proxy', 'kube-scheduler'])
    if (!existsSync(join(binDir, b)))
      throw new Error(`${join(binDir, b)} is missing; build it with test/controlplane/build.sh`);
  const deb = ensureNodePackages();
  return { binDir, images: await ensureTestImages(deb, cacheDir()) };
}
