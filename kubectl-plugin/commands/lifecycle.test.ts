// lifecycle.test.ts: `kubectl mesh install`, `status`, `diagnose` and `uninstall` run by the real
// kubectl from PATH against real control planes, in local mode (the test clusters have no kubelet,
// so fedmesh-apiserver runs in this process, as `startFedmeshServer` starts it).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { createCA } from '../../core/pki.js';
import { connect, kubeconfigFor, storeRemote } from '../../test/harness/connect.js';
import { startControlPlane, type ControlPlane } from '../../test/harness/controlplane.js';
import { startFedmeshServer, type UnregisteredFedmesh } from '../../test/harness/fedmesh.js';
import { kubectl, kubectlOk } from '../../test/harness/kubectl.js';
import { waitFor } from '../../test/harness/wait.js';

const bin = fileURLToPath(new URL('../bin/', import.meta.url));
const pathDir = mkdtempSync(join(tmpdir(), 'kubectl-mesh-'));
symlinkSync(join(bin, 'kubectl-mesh.js'), join(pathDir, 'kubectl-mesh'));
symlinkSync(join(bin, 'kubectl_complete-mesh'), join(pathDir, 'kubectl_complete-mesh'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** mesh runs `kubectl mesh ARGS...` with KUBECONFIG set (kubectl refuses flags before a plugin name). */
function mesh(kubeconfig: string, ...args: string[]): Promise<Run> {
  const env = { ...process.env, KUBECONFIG: kubeconfig, PATH: `${pathDir}:${process.env.PATH ?? ''}` };
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['mesh', ...args], { env });
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
  rmSync(pathDir, { recursive: true, force: true });
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
