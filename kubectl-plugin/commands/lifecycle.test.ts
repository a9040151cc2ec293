// lifecycle.test.ts: `kubectl mesh install`, `status`, `diagnose` and `uninstall` run by the real
// kubectl from PATH against real control planes, in local mode (the test clusters have no kubelet,
// so fedmesh-apiserver runs in this process, as `startFedmeshServer` starts it).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { createCA } from '../../core/pki.js';
import { connect, kubeconfigFor, storeRemote } from '../../test/harness/connect.js';
import { startControlPlane, type ControlPlane } from '../../test/harness/controlplane.js';
import { startFedmeshServer, type UnregisteredFedmesh } from '../../test/harness/fedmesh.js';
import { kubectl, kubectlOk } from '../../test/harness/kubectl.js';
import { waitFor } from '../../test/harness/wait.js';
import { packageRoot } from '../../test/harness/root.js';

// kubectl-plugin/bin on PATH, as the README says.
const pathDir = fileURLToPath(new URL('../bin', import.meta.url));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** mesh runs `kubectl mesh ARGS...` with KUBECONFIG set (kubectl refuses flags before a plugin name). */
function mesh(kubeconfig: string, ...args: string[]): Promise<Run> {
  return run(kubeconfig, ['mesh', ...args]);
}

/** run runs kubectl with the plugin on PATH and KUBECONFIG set. */
function run(kubeconfig: string, args: string[]): Promise<Run> {
  const env = { ...process.env, KUBECONFIG: kubeconfig, PATH: `${pathDir}:${process.env.PATH ?? ''}` };
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function meshOk(kubeconfig: string, ...args: string[]): Promise<string> {
  const r = await mesh(kubeconfig, ...args);
  assert.equal(r.code, 0, `kubectl mesh ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

let cp: ControlPlane;
let server: UnregisteredFedmesh | undefined;
let a: string;

before(async () => {
  cp = await startControlPlane({ clusters: ['a', 'b'] });
  a = cp.cluster('a').kubeconfig;
  server = await startFedmeshServer(cp.cluster('a'));
});

after(async () => {
  await server?.stop();
  await cp?.stop();
});

describe('kubectl mesh install', () => {
  it('--dry-run=client -o yaml prints the Deployment, the Secret and the APIService with its caBundle, and changes nothing', async () => {
    const list = parse(await meshOk(a, 'install', '--dry-run=client', '-o', 'yaml')) as {
      items: { kind: string; spec?: { caBundle?: string }; data?: Record<string, string> }[];
    };
    const kinds = list.items.map((o) => o.kind);
    for (const k of ['Namespace', 'CustomResourceDefinition', 'Secret', 'Deployment', 'APIService'])
      assert.ok(kinds.includes(k), `${k} in ${kinds.join(', ')}`);
    const apiService = list.items.find((o) => o.kind === 'APIService')!;
    assert.match(Buffer.from(apiService.spec!.caBundle!, 'base64').toString(), /BEGIN CERTIFICATE/);
    assert.equal(list.items.find((o) => o.kind === 'Secret')!.data!['tls.key'], '', 'no private key printed');
    const r = await kubectl(a, ['get', 'apiservice', 'v1alpha1.federated.mesh']);
    assert.match(r.stderr, /NotFound/);
    assert.match((await kubectl(a, ['get', 'ns', 'fedmesh'])).stderr, /NotFound/);
  });

  it('--local-port/--local-ca-file registers the local server until the APIService is Available', async () => {
    const { port, caFile } = server!;
    const out = await meshOk(
      a,
      'install',
      '--local-port',
      String(port),
      '--local-ca-file',
      caFile,
      '--cluster-name',
      'a',
    );
    assert.match(out, /apiservice\/v1alpha1.federated.mesh serverside-applied/);
    assert.match(out, /is Available/);
    const r = await kubectl(a, ['get', 'fep', '-A']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr.replace(/^No resources found\n$/, ''), '');
  });

  it('is a no-op success when run again', async () => {
    const { port, caFile } = server!;
    const before = await kubectlOk(a, [
      'get',
      'apiservice',
      'v1alpha1.federated.mesh',
      '-o',
      'jsonpath={.metadata.resourceVersion}',
    ]);
    await meshOk(
      a,
      'install',
      '--local-port',
      String(port),
      '--local-ca-file',
      caFile,
      '--cluster-name',
      'a',
    );
    const again = await kubectlOk(a, [
      'get',
      'apiservice',
      'v1alpha1.federated.mesh',
      '-o',
      'jsonpath={.metadata.resourceVersion}',
    ]);
    assert.equal(again, before);
  });
});

describe('fedmesh-apiserver RBAC', () => {
  it('lets the server read Secrets in its namespace and nowhere else', async () => {
    await kubectlOk(a, ['apply', '-f', join(packageRoot(), 'manifests/rbac-apiserver.yaml')]);
    const sa = '--as=system:serviceaccount:fedmesh:fedmesh-apiserver';
    const can = async (...args: string[]): Promise<string> =>
      (await kubectl(a, [sa, 'auth', 'can-i', ...args])).stdout.trim();
    assert.equal(await can('list', 'secrets', '-n', 'fedmesh'), 'yes');
    assert.equal(await can('get', 'secrets', '-n', 'kube-system'), 'no');
    assert.equal(await can('list', 'secrets', '-A'), 'no');
    assert.equal(await can('list', 'pods', '-A'), 'yes');
  });
});

interface StatusJSON {
  apiService: { available: boolean };
  clusters: { cluster: string; role: string; connected: string; synced: string; lastError?: string }[];
}

async function rccReason(type: string): Promise<string> {
  const r = await kubectl(a, [
    'get',
    'rcc',
    'b',
    '-o',
    `jsonpath={.status.conditions[?(@.type=="${type}")].reason}`,
  ]);
  return r.stdout.trim();
}

describe('kubectl mesh status and diagnose', () => {
  before(async () => {
    await connect(cp.cluster('a'), cp.cluster('b'));
    await waitFor('rcc b Synced', async () => (await rccReason('Synced')) === 'Synced', {
      timeoutMs: 60_000,
    });
  });

  it('status shows the local cluster and the remote one as Connected and Synced', async () => {
    const out = await meshOk(a, 'status');
    assert.match(out, /APIService v1alpha1.federated.mesh: Available/);
    assert.match(out, /\na +local +True +True/);
    assert.match(out, /\nb +remote +True +True +False/);
    const s = JSON.parse(await meshOk(a, 'status', '-o', 'json')) as StatusJSON;
    assert.equal(s.apiService.available, true);
    assert.deepEqual(
      s.clusters.map((c) => [c.cluster, c.role, c.connected, c.synced]),
      [
        ['a', 'local', 'True', 'True'],
        ['b', 'remote', 'True', 'True'],
      ],
    );
  });

  it('diagnose passes on a healthy mesh', async () => {
    const r = await mesh(a, 'diagnose');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\[OK\] +APIService v1alpha1.federated.mesh is Available/);
    assert.match(r.stdout, /\[OK\] +remote cluster b: Synced/);
    assert.doesNotMatch(r.stdout, /\[FAIL\]/);
  });

  it('diagnose fails with CertificateMismatch and the fix when the Secret holds a wrong CA', async () => {
    const b = cp.cluster('b');
    const token = (
      await kubectlOk(b.kubeconfig, ['create', 'token', 'fedmesh-remote-reader', '-n', 'fedmesh'])
    ).trim();
    await storeRemote(cp.cluster('a'), 'b', kubeconfigFor(b, token, createCA('wrong').certPem));
    await waitFor(
      'rcc b CertificateMismatch',
      async () => (await rccReason('Connected')) === 'CertificateMismatch',
      {
        timeoutMs: 60_000,
      },
    );
    const r = await mesh(a, 'diagnose');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /\[FAIL\] remote cluster b: not Connected \(CertificateMismatch\)/);
    assert.match(r.stdout, /fix: .*kubectl mesh connect --to-context <context of b> --name b/);
    const s = JSON.parse(await meshOk(a, 'status', '-o', 'json')) as StatusJSON;
    assert.match(s.clusters[1]!.lastError ?? '', /^CertificateMismatch: /);
  });

  it('diagnose fails and says to run kubectl mesh install when the APIService is gone', async () => {
    await kubectlOk(a, ['delete', 'apiservice', 'v1alpha1.federated.mesh']);
    const r = await mesh(a, 'diagnose');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /\[FAIL\] APIService v1alpha1.federated.mesh does not exist\n +fix: kubectl mesh install\n/,
    );
  });
});

describe('kubectl mesh uninstall', () => {
  it('removes every fedmesh object and kubectl stays quiet afterwards', async () => {
    const { port, caFile } = server!;
    await meshOk(a, 'install', '--local-port', String(port), '--local-ca-file', caFile);
    const out = await meshOk(a, 'uninstall');
    assert.match(out.split('\n')[0]!, /^apiservice\/v1alpha1.federated.mesh deleted$/);
    assert.match((await kubectl(a, ['get', 'apiservice', 'v1alpha1.federated.mesh'])).stderr, /NotFound/);
    // The Multi-Cluster Services CRDs are a shared API: kept, and the output says how to delete them.
    assert.equal(
      await kubectlOk(a, ['get', 'crd', '-o', 'name']),
      'customresourcedefinition.apiextensions.k8s.io/serviceexports.multicluster.x-k8s.io\n' +
        'customresourcedefinition.apiextensions.k8s.io/serviceimports.multicluster.x-k8s.io\n',
    );
    assert.match(
      out,
      /^customresourcedefinition\/serviceexports.multicluster.x-k8s.io kept \(a shared API; if no other tool uses it: kubectl delete crd serviceexports.multicluster.x-k8s.io\)$/m,
    );
    const left = await kubectl(a, ['get', 'svc,secret,sa,deploy', '-n', 'fedmesh', '-o', 'name']);
    assert.equal(
      left.stdout
        .split('\n')
        .filter((l) => !l.startsWith('serviceaccount/default'))
        .join(''),
      '',
    );
    const ns = await kubectl(a, ['get', 'ns']);
    assert.equal(ns.code, 0);
    assert.equal(ns.stderr, '');
    await meshOk(a, 'uninstall');
  });
});

describe('kubectl mesh completion', () => {
  it('completes command names and flags through kubectl __complete', async () => {
    const { stdout: cmds } = await run(a, ['__complete', 'mesh', '']);
    for (const c of ['install', 'uninstall', 'status', 'diagnose'])
      assert.match(cmds, new RegExp(`^${c}$`, 'm'));
    assert.match(cmds, /^:4$/m);
    const flags = await meshOk(a, '__complete', 'status', '--');
    assert.match(flags, /^--watch$/m);
    assert.match(flags, /^--context$/m);
    assert.match(flags, /:4\n$/);
  });
});
