// leftovers.ts: what a set of real test nodes could leave on the host, listed so tests can
// check that teardown (normal, or by the reaper after SIGKILL) removed all of it.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { HIERARCHIES } from './cgroups.js';
import type { NodeSet } from './nodes.js';
import { envFile, KERNEL_SETTINGS, readSysctl } from './registry.js';

/** NodeTraces identify one instance's resources on the host. */
export interface NodeTraces {
  prefix: string;
  slot: number;
  dir: string;
  pids: number[];
}

/** tracesOf records what to look for after nodes stop: every node process too. */
export function tracesOf(nodes: NodeSet): NodeTraces {
  const cg = `/sys/fs/cgroup/pids/${nodes.plan.prefix}`;
  const inCgroup = existsSync(cg)
    ? execFileSync('find', [cg, '-name', 'cgroup.procs', '-exec', 'cat', '{}', '+'], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map(Number)
    : [];
  return { prefix: nodes.plan.prefix, slot: nodes.plan.slot, dir: nodes.dir, pids: inCgroup };
}

/** kernelSettings reads the sysctls the kubelet changes. */
export const kernelSettings = (): Record<string, string> =>
  Object.fromEntries(KERNEL_SETTINGS.map((k) => [k, readSysctl(k)]));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** leftovers lists what of the instance is still there (empty when teardown was complete). */
export function leftovers(t: NodeTraces): string[] {
  const out: string[] = [];
  for (const pid of t.pids.filter(alive)) out.push(`process ${pid} (${cmdline(pid)})`);
  const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' });
  for (const ns of sh('ip', ['netns', 'list'])
    .split('\n')
    .filter((l) => l.startsWith(`${t.prefix}-`)))
    out.push(`netns ${ns}`);
  for (const l of sh('ip', ['-o', 'link'])
    .split('\n')
    .filter((l) => l.includes(` ${t.prefix}`)))
    out.push(`link ${l.split(':')[1]?.trim()}`);
  for (const r of (sh('ip', ['route']) + sh('ip', ['-6', 'route']))
    .split('\n')
    .filter(
      (r) =>
        r.includes(`10.${t.slot}.`) ||
        r.includes(`198.18.${t.slot}.`) ||
        r.includes(`fd10:${t.slot}:`) ||
        r.includes(`metric ${1000 + t.slot}`),
    ))
    out.push(`route ${r}`);
  for (const m of readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? ''))
    if (m.startsWith(t.dir + '/') || m === t.dir) out.push(`mount ${m}`);
  for (const h of HIERARCHIES)
    if (existsSync(`/sys/fs/cgroup/${h}/${t.prefix}`)) out.push(`cgroup ${h}/${t.prefix}`);
  out.push(...sharedLeftovers(t));
  if (existsSync(t.dir)) out.push(`folder ${t.dir}`);
  if (existsSync(envFile(t.prefix))) out.push(`record ${envFile(t.prefix)}`);
  return out;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(join('/proc', String(pid), 'cmdline'), 'utf8')
      .split('\0')
      .slice(0, 2)
      .join(' ');
  } catch {
    return '?';
  }
}

// sharedLeftovers: our entries in folders every kubelet and containerd share.
function sharedLeftovers(t: NodeTraces): string[] {
  const out: string[] = [];
  const results = '/var/lib/cni/results';
  for (const f of existsSync(results) ? readdirSync(results) : []) {
    const mine = f.startsWith(`${t.prefix}-`) || readFileSync(join(results, f), 'utf8').includes(`${t.dir}/`);
    if (mine) out.push(`cni result ${f}`);
  }
  const logs = '/var/log/containers';
  for (const f of existsSync(logs) ? readdirSync(logs) : []) {
    if (readlinkOrEmpty(join(logs, f)).startsWith(`${t.dir}/`)) out.push(`container log link ${f}`);
  }
  return out;
}

function readlinkOrEmpty(p: string): string {
  try {
    return readlinkSync(p);
  } catch {
    return '';
  }
}
