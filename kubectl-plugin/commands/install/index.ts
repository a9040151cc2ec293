// index.ts: `kubectl mesh install`: the serving certificate, the manifests and the APIService,
// then a wait (with progress) until the API is Available, the Deployment is ready and the
// fedmesh-node DaemonSet is rolled out.
import { dnsLabelProblem } from '../../../api/index.js';
import { readFileSync } from 'node:fs';
import type { V1Secret } from '@kubernetes/client-node';
import type { Command, Context, Group } from '../../cli/command.js';
import { CliError, usageError } from '../../cli/errors.js';
import { MESH, apply, describe, loadKube, parseDuration, waitFor } from '../../kube/index.js';
import type { Kube } from '../../kube/index.js';
import { RENEW_BEFORE_DAYS, notAfter } from './certs.js';
import { planInstall, readServingSecret, redacted, type InstallOptions, type Plan } from './objects.js';
import { all, apiServiceAvailable, crdEstablished, daemonSetReady, deploymentReady } from './ready.js';

/** FIELD_MANAGER is the server-side apply field manager of every kubectl-mesh write. */
export const FIELD_MANAGER = 'kubectl-mesh';

const installCommand: Command = {
  name: 'install',
  summary: 'Install fedmesh in the current cluster (or register a locally running server)',
  description: [
    'Install fedmesh: a serving CA and certificate in Secret fedmesh/fedmesh-apiserver-serving (kept',
    `while valid for ${RENEW_BEFORE_DAYS}+ days, unless --rotate-certs), the namespace, CRDs, RBAC, Service,`,
    'Deployment, the fedmesh-node DaemonSet and the APIService with its caBundle, all server-side',
    'applied; then wait until the APIService is Available, the Deployment is ready and fedmesh-node',
    'runs on every node. Running it again is safe.',
    '',
    'Local mode (--local-port and --local-ca-file) registers a fedmesh-apiserver running on this',
    'machine instead: namespace, CRDs, user RBAC, an ExternalName Service to localhost and the',
    'APIService with the given CA. --dry-run=client -o yaml prints the objects (never private keys).',
  ].join('\n'),
  args: [],
  flags: [
    { name: 'dry-run', type: 'string', value: 'MODE', help: 'none (default), client (print only) or server' },
    { name: 'rotate-certs', type: 'boolean', help: 'Make a new serving CA and certificate even if valid' },
    {
      name: 'image',
      type: 'string',
      value: 'REF',
      help: 'The fedmesh image to run (default: the release image set in manifests/kustomization.yaml)',
    },
    {
      name: 'timeout',
      type: 'string',
      value: 'DURATION',
      help: 'How long to wait for readiness (default 5m; 0: do not wait)',
    },
    {
      name: 'cluster-name',
      type: 'string',
      value: 'NAME',
      help: "This cluster's name in the mesh (MeshConfiguration default)",
    },
    {
      name: 'local-port',
      type: 'string',
      value: 'PORT',
      help: 'Local mode: the port of a fedmesh-apiserver on this machine',
    },
    {
      name: 'local-ca-file',
      type: 'string',
      value: 'FILE',
      help: 'Local mode: the CA (PEM) of its serving certificate',
    },
  ],
  examples: [
    'kubectl mesh install --cluster-name east',
    'kubectl mesh install --dry-run=client -o yaml',
    'kubectl mesh install --rotate-certs',
    'kubectl mesh install --image registry.example.com/fedmesh:v0.1.0',
    'kubectl mesh install --local-port 8443 --local-ca-file serving-ca.crt',
  ],
  run: runInstall,
};

/** installGroup is `kubectl mesh install`. */
export const installGroup: Group = {
  name: 'install',
  summary: installCommand.summary,
  commands: [],
  leaf: installCommand,
};

async function runInstall(ctx: Context): Promise<number> {
  const opts = options(ctx);
  const dryRun = dryRunMode(ctx.flags['dry-run'] as string | undefined);
  const timeoutMs = parseDuration((ctx.flags.timeout as string | undefined) ?? '5m', '--timeout');
  if (dryRun === 'client') return printPlan(ctx, await planInstall(opts, offlineSecret(ctx)));
  const kube = loadKube(ctx.global);
  const plan = await planInstall(opts, () => readServingSecret(kube.kc));
  await applyPlan(ctx, kube, plan, dryRun === 'server');
  if (dryRun === 'server' || timeoutMs === 0) return 0;
  const next = opts.local
    ? `kubectl describe apiservice ${MESH.apiService}`
    : `kubectl -n ${MESH.namespace} describe deploy/${MESH.deployment} ds/${MESH.daemonSet}`;
  const ready = opts.local
    ? apiServiceAvailable(kube.kc)
    : all(apiServiceAvailable(kube.kc), deploymentReady(kube.kc), daemonSetReady(kube.kc));
  await waitFor('fedmesh', ready, timeoutMs, ctx.io.stderr, { next: `Run \`${next}\` to see why.` });
  ctx.io.stdout(
    `fedmesh is installed in context ${kube.context}: apiservice/${MESH.apiService} is Available.\n`,
  );
  return 0;
}

function options(ctx: Context): InstallOptions {
  const port = ctx.flags['local-port'] as string | undefined;
  const caFile = ctx.flags['local-ca-file'] as string | undefined;
  const clusterName = ctx.flags['cluster-name'] as string | undefined;
  const problem = clusterName === undefined ? undefined : dnsLabelProblem(clusterName);
  if (problem) throw usageError(`--cluster-name: ${JSON.stringify(clusterName)} ${problem}`);
  const image = ctx.flags.image as string | undefined;
  if (image !== undefined && !/^[^\s:@/][^\s]*$/.test(image))
    throw usageError(`--image: ${JSON.stringify(image)} is not an image reference (NAME[:TAG][@DIGEST])`);
  const base = { rotateCerts: ctx.flags['rotate-certs'] === true, clusterName, image };
  if (port === undefined && caFile === undefined) return base;
  if (image !== undefined) throw usageError('--image does not apply in local mode (no Deployment runs)');
  if (port === undefined || caFile === undefined)
    throw usageError('local mode needs both --local-port and --local-ca-file');
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535)
    throw usageError(`--local-port: ${JSON.stringify(port)} is not a port number`);
  if (base.rotateCerts)
    throw usageError('--rotate-certs does not apply in local mode (the local server owns its certificate)');
  return { ...base, local: { port: Number(port), caPem: readCA(caFile) } };
}

function readCA(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(
      'ENOENT',
      `cannot read --local-ca-file ${file}: ${(e as NodeJS.ErrnoException).code ?? ''}`,
    );
  }
  try {
    notAfter(pem);
  } catch {
    throw new CliError(
      'EINVALID',
      `--local-ca-file ${file} is not a PEM certificate`,
      undefined,
      "Pass the CA certificate that signed the local server's serving certificate.",
    );
  }
  return pem;
}

function dryRunMode(v: string | undefined): 'none' | 'client' | 'server' {
  if (v === undefined || v === 'none' || v === 'client' || v === 'server') return v ?? 'none';
  throw usageError(`--dry-run: must be none, client or server, not ${JSON.stringify(v)}`);
}

// offlineSecret reads the existing serving Secret if a cluster is configured, so the dry run shows
// the caBundle a real run would keep; without a kubeconfig the dry run still works.
function offlineSecret(ctx: Context): () => Promise<V1Secret | undefined> {
  return async () => {
    let kube: Kube;
    try {
      kube = loadKube(ctx.global);
    } catch {
      return undefined;
    }
    return readServingSecret(kube.kc).catch(() => undefined);
  };
}

function printPlan(ctx: Context, plan: Plan): number {
  const objects = [...plan.objects, ...(plan.meshConfig ? [plan.meshConfig] : [])].map(redacted);
  if (ctx.global.output === 'json' || ctx.global.output === 'yaml') ctx.out.print(objects, []);
  else for (const o of objects) ctx.io.stdout(`${describe(o).split(' ')[0]} serverside-applied (dry run)\n`);
  return 0;
}

async function applyPlan(ctx: Context, kube: Kube, plan: Plan, dryRun: boolean): Promise<void> {
  const suffix = dryRun ? ' (server dry run)' : '';
  if (plan.serving?.reused)
    ctx.io.stderr(
      `Keeping the serving certificate in secret/${MESH.servingSecret} (valid until ${notAfter(plan.serving.certPem).toISOString()}); --rotate-certs makes a new one.\n`,
    );
  const applyAll = async (objects: Plan['objects']): Promise<void> => {
    for (const o of await apply(kube.kc, objects, { fieldManager: FIELD_MANAGER, dryRun }))
      ctx.io.stdout(`${describe(o).split(' ')[0]} serverside-applied${suffix}\n`);
  };
  // The MeshConfiguration (this cluster's name) goes in before the Deployment, whose servers read it at start.
  const split = plan.objects.findIndex((o) => o.kind === 'Deployment');
  const [first, rest] =
    split < 0 ? [plan.objects, []] : [plan.objects.slice(0, split), plan.objects.slice(split)];
  await applyAll(first);
  if (plan.meshConfig) {
    const crd = `meshconfigurations.${MESH.configGroup}`;
    if (!dryRun) await waitFor(`crd/${crd}`, crdEstablished(kube.kc, crd), 60_000, () => undefined);
    await apply(kube.kc, [plan.meshConfig], { fieldManager: FIELD_MANAGER, dryRun });
    ctx.io.stdout(`meshconfiguration/default serverside-applied${suffix}\n`);
  }
  await applyAll(rest);
}
