// kubectl.ts: runs the real kubectl against a harness cluster and captures its output.
import { execFile } from 'node:child_process';
import { stringify } from 'yaml';

/** KubectlResult is the outcome of one kubectl run. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** KubectlOptions tune one kubectl run. */
export interface KubectlOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/** kubectl runs `kubectl --kubeconfig KUBECONFIG ARGS...`; it never throws on a non-zero exit. */
export function kubectl(
  kubeconfig: string,
  args: string[],
  opts: KubectlOptions = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'kubectl',
      [`--kubeconfig=${kubeconfig}`, ...args],
      {
        env: { ...process.env, ...opts.env },
        timeout: opts.timeoutMs ?? 60_000,
        maxBuffer: 256 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(new Error(err.message, { cause: err }));
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** kubectlOk runs kubectl and throws with its stderr unless it exits 0. */
export async function kubectlOk(
  kubeconfig: string,
  args: string[],
  opts: KubectlOptions = {},
): Promise<string> {
  const r = await kubectl(kubeconfig, args, opts);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** applyObjects applies objects with kubectl (server-side apply keeps it idempotent). */
export async function applyObjects(kubeconfig: string, objects: unknown[]): Promise<void> {
  const yaml = objects.map((o) => stringify(o)).join('---\n');
  await kubectlOk(
    kubeconfig,
    ['apply', '--server-side', '--force-conflicts', '--field-manager=fedmesh-test', '-f', '-'],
    { input: yaml },
  );
}
