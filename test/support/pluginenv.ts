// pluginenv.ts: for the plugin's scenario tests: the built kubectl-mesh on a temporary PATH, run
// through the real kubectl with several harness kubeconfigs merged (KUBECONFIG=a:b:c).
import { spawn } from 'node:child_process';
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

/** pluginEnv puts kubectl-plugin/bin on PATH, as the README says (build first: npm run build:ts). */
export function pluginEnv(kubeconfigs: string[]): PluginEnv {
  const dir = fileURLToPath(new URL('../../kubectl-plugin/bin', import.meta.url));
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
  return { kubectl, cleanup: () => undefined };
}
