// testenv.ts: for the plugin's scenario tests: the built kubectl-mesh on a temporary PATH, run
// through the real kubectl with several harness kubeconfigs merged (KUBECONFIG=a:b:c).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Run is the outcome of one kubectl run. */
export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** PluginEnv runs `kubectl ARGS` with the plugin on PATH and the given kubeconfigs merged. */
export interface PluginEnv {
  kubectl(...args: string[]): Promise<Run>;
  cleanup(): void;
}

/** pluginEnv puts bin/kubectl-mesh.js on a temporary PATH (build first: npm run build:ts). */
export function pluginEnv(kubeconfigs: string[]): PluginEnv {
  const bin = fileURLToPath(new URL('../../bin/kubectl-mesh.js', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'kubectl-mesh-'));
  symlinkSync(bin, join(dir, 'kubectl-mesh'));
  const env = { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}`, KUBECONFIG: kubeconfigs.join(':') };
  const kubectl = (...args: string[]): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn('kubectl', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });
  return { kubectl, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
