// cgroups.ts: the cgroup v1 folders of a set of real test nodes. Each node's kubelet gets its own
// cgroupRoot, /fm<slot>/<node>, which must exist in every hierarchy; node processes run in
// /fm<slot>/daemons of the pids hierarchy, where cleanup.sh finds them (and the containerd shims,
// which inherit it) to kill them.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { allNodes, type Plan } from './plan.js';

/** HIERARCHIES are the cgroup v1 hierarchies of this kind of machine (PID 1 is not systemd). */
export const HIERARCHIES = [
  'cpu',
  'cpuacct',
  'cpuset',
  'memory',
  'devices',
  'freezer',
  'blkio',
  'pids',
  'systemd',
];
const ROOT = '/sys/fs/cgroup';

/** createCgroups makes the instance's top cgroup, one per node, and the daemons cgroup. */
export function createCgroups(p: Plan): void {
  const missing = HIERARCHIES.filter((h) => !existsSync(join(ROOT, h)));
  if (missing.length > 0)
    throw new Error(
      `real nodes need cgroup v1 hierarchies; missing ${missing.map((h) => join(ROOT, h)).join(', ')}`,
    );
  for (const h of HIERARCHIES) {
    for (const path of [p.cgroupTop, ...allNodes(p).map((n) => n.cgroup)]) {
      mkdirSync(join(ROOT, h, path), { recursive: true });
      // A new cpuset has no CPUs or memory nodes until given its parent's.
      if (h === 'cpuset') for (const f of ['cpuset.cpus', 'cpuset.mems']) inherit(join(ROOT, h), path, f);
    }
  }
  mkdirSync(join(ROOT, 'pids', p.cgroupTop, 'daemons'));
}

function inherit(root: string, path: string, file: string): void {
  const parent = join(root, path, '..', file);
  writeFileSync(join(root, path, file), readFileSync(parent, 'utf8').trim());
}
