// registry.ts: /run/fedmesh-nodes, where every running set of real test nodes records what it
// made (fm<slot>.env, read by cleanup.sh), so that concurrent harnesses never share a slot and a
// later run cleans up after one whose owner and reaper both died.
import { execFileSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../root.js';
import { SLOT_MAX, SLOT_MIN } from './plan.js';

/** RUN_DIR holds one env file per live instance and the kernel settings baseline. */
export const RUN_DIR = process.env.FEDMESH_NODES_RUN_DIR ?? '/run/fedmesh-nodes';
/** CLEANUP_SCRIPT removes one instance (see cleanup.sh; in the checkout, also when running from dist/). */
export const CLEANUP_SCRIPT = join(packageRoot(), 'test/harness/nodes/cleanup.sh');
/** KERNEL_SETTINGS are the global sysctls every kubelet sets when it starts. */
export const KERNEL_SETTINGS = ['vm.overcommit_memory', 'kernel.panic', 'kernel.panic_on_oops'];

/** Record is what cleanup.sh needs to know about an instance. */
export interface Record {
  PREFIX: string;
  DIR: string;
  RUN_DIR: string;
  OWNER_PID: number;
  REAPER_PID?: number;
  /** Host routes to delete, each as `ip route del` arguments joined by commas. */
  HOST_ROUTES: string[];
}

/** envFile is the record path of a prefix. */
export const envFile = (prefix: string): string => join(RUN_DIR, `${prefix}.env`);

/** writeRecord replaces an instance's record atomically. */
export function writeRecord(r: Record): void {
  const lines = Object.entries(r)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${quote(Array.isArray(v) ? v.join(' ') : String(v))}`);
  const f = envFile(r.PREFIX);
  writeFileSync(f + '.tmp', lines.join('\n') + '\n');
  renameSync(f + '.tmp', f);
}

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function readPids(file: string): number[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:OWNER_PID|REAPER_PID)='(\d+)'$/gm)].map((m) => Number(m[1]));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** sweepStale cleans up every recorded instance whose owner and reaper have both died. */
export function sweepStale(): string[] {
  if (!existsSync(RUN_DIR)) return [];
  const swept: string[] = [];
  for (const name of readdirSync(RUN_DIR).filter((n) => /^fm\d+\.env$/.test(n))) {
    const file = join(RUN_DIR, name);
    if (readPids(file).some(alive)) continue;
    execFileSync(CLEANUP_SCRIPT, [file], { stdio: 'ignore', timeout: 60_000 });
    swept.push(name);
  }
  return swept;
}

/** claimSlot reserves a free slot (no record, no host address or route using it) for ownerPid. */
export function claimSlot(dir: string): number {
  mkdirSync(RUN_DIR, { recursive: true });
  const used =
    execFileSync('ip', ['-o', 'addr'], { encoding: 'utf8' }) +
    execFileSync('ip', ['route'], { encoding: 'utf8' }) +
    execFileSync('ip', ['-6', 'route'], { encoding: 'utf8' });
  const n = SLOT_MAX - SLOT_MIN + 1;
  const start = Math.floor(Math.random() * n);
  for (let i = 0; i < n; i++) {
    const slot = SLOT_MIN + ((start + i) % n);
    if (used.includes(`198.18.${slot}.`) || used.includes(`10.${slot}.`) || used.includes(`fd10:${slot}:`))
      continue;
    try {
      closeSync(openSync(envFile(`fm${slot}`), 'wx'));
    } catch {
      continue;
    }
    writeRecord({ PREFIX: `fm${slot}`, DIR: dir, RUN_DIR, OWNER_PID: process.pid, HOST_ROUTES: [] });
    return slot;
  }
  throw new Error(
    `no free node slot in ${RUN_DIR} (${n} in use?); remove stale records with ${CLEANUP_SCRIPT}`,
  );
}

/** kernelBaseline returns the kernel settings to restore, recording the current ones first if none are. */
export function kernelBaseline(): Map<string, string> {
  mkdirSync(RUN_DIR, { recursive: true });
  const file = join(RUN_DIR, 'kernel-settings');
  try {
    const fd = openSync(file, 'wx');
    const now = KERNEL_SETTINGS.map((k) => `${k}=${readSysctl(k)}`).join('\n') + '\n';
    writeFileSync(fd, now);
    closeSync(fd);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes('='))
    .map((l) => l.split('=') as [string, string]);
  return new Map(entries);
}

/** readSysctl reads a sysctl through /proc/sys. */
export const readSysctl = (key: string): string =>
  readFileSync(`/proc/sys/${key.replace(/\./g, '/')}`, 'utf8').trim();

/** restoreKernelSettings writes the baseline values back (the kubelet changes them at start). */
export function restoreKernelSettings(baseline: Map<string, string>): void {
  for (const [k, v] of baseline)
    if (readSysctl(k) !== v) writeFileSync(`/proc/sys/${k.replace(/\./g, '/')}`, v);
}
