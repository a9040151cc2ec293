// nodes-demo.ts: helper of bench/nodes.ts: starts `npm run demo -- up` in a temporary folder, sums
// the resident memory of everything it runs (the demo process, etcd, kube-apiservers,
// controller-managers, node daemons, containerd shims and pod processes), then stops it.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { DemoState } from '../test/demo/state.js';
import { packageRoot } from '../test/harness/root.js';
import { rssMiB } from './nodes-watch.js';

const run = promisify(execFile);

/** cgroupPids lists every process in a pids cgroup tree. */
function cgroupPids(dir: string): number[] {
  if (!existsSync(dir)) return [];
  const own = readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  const subs = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory());
  return [...own, ...subs.flatMap((d) => cgroupPids(join(dir, d.name)))];
}

/** demoRss measures the demo's total resident memory, 10 s after it is ready. */
export async function demoRss(): Promise<{ totalMiB: number; processes: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'fedmesh-bench-demo-'));
  const env = { ...process.env, FEDMESH_DEMO_DIR: dir };
  const npm = (cmd: string): Promise<unknown> =>
    run('npm', ['run', '--silent', 'demo', '--', cmd], { cwd: packageRoot(), env, timeout: 300_000 });
  try {
    await npm('up');
    await new Promise((r) => setTimeout(r, 10_000));
    const s = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as DemoState;
    const slot = s.nodes?.[0]?.ip.split('.')[2];
    const pids = new Set([s.pid, ...(s.processes ?? []).map((p) => p.pid)]);
    if (slot) for (const p of cgroupPids(`/sys/fs/cgroup/pids/fm${slot}`)) pids.add(p);
    const totalMiB = [...pids].reduce((sum, p) => sum + rssMiB(p), 0);
    return { totalMiB, processes: pids.size };
  } finally {
    await npm('down').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
