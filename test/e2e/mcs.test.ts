// mcs.test.ts: the Multi-Cluster Services API on three real clusters with a real node each
// (kubelet, containerd, kube-proxy in nftables mode, kube-controller-manager). Each cluster runs
// its own fedmesh-apiserver: A pulls from B and C, B and C from each other. A ServiceExport in B
// and C gives A a ServiceImport and a derived Service whose ClusterIP A's kube-proxy programs with
// the pods of B and C; a port conflict between B and C is reported on both exports by their own
// clusters and the older export wins; unexporting removes A's import, derived Service and slices.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { derivedServiceName } from '../../api/index.js';
import { connect, installCRDs } from '../harness/connect.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { startFedmeshServer, startLocalFedmesh, type LocalFedmesh } from '../harness/fedmesh.js';
import type { RunningServer } from '../../apiserver/app.js';
import { kubectl, kubectlOk } from '../harness/kubectl.js';
import { packageRoot } from '../harness/root.js';
import { createTestPods, waitPodsReady, type PodInfo } from '../harness/nodes/pods.js';
import { waitFor } from '../harness/wait.js';
import { ensureNamespaces } from './fixtures.js';
import { NS, addressesBySource, applyIn, backingService, slicesOf } from './fedservices-helpers.js';
import { derivedIP, exportCondition, importOf, serviceExport, servicePort, unexport } from './mcs-helpers.js';

const run = promisify(execFile);
let cp: ControlPlane;
let fm: LocalFedmesh | undefined;
const others: RunningServer[] = [];
const pods = new Map<string, PodInfo>();
const kc = (c: string): string => cp.cluster(c).kubeconfig;
const ipsOf = (...keys: string[]): string[] => keys.map((k) => pods.get(k)!.ip).sort();
const derived = derivedServiceName(NS, 'db');

async function startPods(cluster: string, names: string[]): Promise<void> {
  await createTestPods(
    kc(cluster),
    names.map((name) => ({ name, namespace: NS, node: `${cluster}-node-1`, labels: { app: 'db' } })),
    cp.nodes!.images.workload.ref,
  );
  for (const p of await waitPodsReady(kc(cluster), NS, names)) pods.set(`${cluster}/${p.name}`, p);
}

before(async () => {
  cp = await startControlPlane({ clusters: ['a', 'b', 'c'], nodes: { perCluster: 1 } });
  for (const c of ['a', 'b', 'c']) {
    await installCRDs(cp.cluster(c));
    await ensureNamespaces(kc(c), [NS]);
  }
  for (const c of ['b', 'c']) await applyIn(kc(c), [backingService('db', { app: 'db' })]);
  await createTestPods(
    kc('a'),
    [{ name: 'client', namespace: NS, node: 'a-node-1', labels: { app: 'client' } }],
    cp.nodes!.images.workload.ref,
  );
  await startPods('b', ['db-b-0']);
  await startPods('c', ['db-c-0']);
  await connect(cp.cluster('a'), cp.cluster('b'));
  await connect(cp.cluster('a'), cp.cluster('c'));
  await connect(cp.cluster('b'), cp.cluster('c'));
  await connect(cp.cluster('c'), cp.cluster('b'));
  fm = await startLocalFedmesh(cp.cluster('a'));
  // B and C write their own exports' status; they need no APIService for that.
  for (const c of ['b', 'c']) others.push(await startFedmeshServer(cp.cluster(c)));
});
after(async () => {
  await Promise.allSettled([fm?.stop(), ...others.map((s) => s.stop())]);
  await cp?.stop();
});

describe('Multi-Cluster Services across three clusters', () => {
  it('imports a Service exported in B and C into A: ServiceImport, derived Service, slices', async () => {
    await applyIn(kc('b'), [serviceExport('db')]);
    await applyIn(kc('c'), [serviceExport('db')]);
    await waitFor(
      'slices of B and C behind the derived Service in A',
      async () =>
        JSON.stringify(await addressesBySource(kc('a'), derived)) ===
        JSON.stringify({ b: ipsOf('b/db-b-0'), c: ipsOf('c/db-c-0') }),
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    const ip = await derivedIP(kc('a'), 'db');
    assert.match(ip, /^\d+\.\d+\.\d+\.\d+$/);
    await waitFor('spec.ips', async () => (await importOf(kc('a'), 'db'))?.ips[0] === ip);
    assert.deepEqual(await importOf(kc('a'), 'db'), {
      type: 'ClusterSetIP',
      ports: 'tcp:80/TCP',
      ips: [ip],
      clusters: ['b', 'c'],
      derived,
    });
    const slices = await slicesOf(kc('a'), derived);
    assert.deepEqual(
      slices.map((s) => [s.name, s.managedBy, s.source, s.ports]),
      ['b', 'c'].map((c) => [`${derived}.${c}.ipv4.0`, 'federated.mesh', c, 'tcp:8080/TCP']),
    );
    for (const c of ['b', 'c']) {
      await waitFor(`${c}'s export Ready`, async () =>
        (await exportCondition(kc(c), 'db', 'Ready')).startsWith('True/Ready/'),
      );
      assert.match(await exportCondition(kc(c), 'db', 'Valid'), /^True\/Valid\//);
      assert.match(await exportCondition(kc(c), 'db', 'Conflict'), /^False\/NoConflicts\//);
    }
  });

  it('explain svc names the import, its exporting clusters and their endpoints (by either name)', async () => {
    const env = {
      ...process.env,
      PATH: `${join(packageRoot(), 'kubectl-plugin/bin')}:${process.env.PATH ?? ''}`,
    };
    for (const name of ['db', derived]) {
      const r = await run('kubectl', ['mesh', 'explain', 'svc', name, '-n', NS], {
        env: { ...env, KUBECONFIG: kc('a') },
      });
      assert.match(
        r.stdout,
        new RegExp(`imported through the Multi-Cluster Services API: ServiceImport ${NS}/db, ClusterSetIP`),
      );
      assert.match(r.stdout, /Exported by clusters: b, c/);
      assert.match(r.stdout, /Ports \(the union of the exports by name and protocol\): tcp 80\/TCP/);
      for (const c of ['b', 'c']) {
        assert.match(r.stdout, new RegExp(`Cluster ${c}: exported ${NS}/db; 1 endpoints, 1 ready`));
        assert.match(r.stdout, new RegExp(`  ${pods.get(`${c}/db-${c}-0`)!.ip} ${c}/db-${c}-0`));
      }
    }
    const inB = await run('kubectl', ['mesh', 'explain', 'svc', 'db', '-n', NS, '-o', 'json'], {
      env: { ...env, KUBECONFIG: kc('b') },
    });
    const j = JSON.parse(inB.stdout) as { localExport?: { status?: { conditions?: { type: string }[] } } };
    assert.deepEqual(j.localExport?.status?.conditions?.map((c) => c.type).sort(), [
      'Conflict',
      'Ready',
      'Valid',
    ]);
  });

  it('reverts hand edits of the derived Service, also one made right after a revert', async () => {
    const port = async (): Promise<string> =>
      (
        await kubectlOk(kc('a'), ['get', 'svc', '-n', NS, derived, '-o', 'jsonpath={.spec.ports[0].port}'])
      ).trim();
    const edit = (): Promise<string> =>
      kubectlOk(kc('a'), [
        'patch',
        'svc',
        '-n',
        NS,
        derived,
        '--type=json',
        '-p',
        '[{"op":"replace","path":"/spec/ports/0/port","value":81}]',
      ]);
    for (const round of ['first edit', 'edit within the write grace']) {
      await edit();
      assert.equal(await port(), '81');
      await waitFor(`${round} reverted`, async () => (await port()) === '80', {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
    }
  });

  it("programs A's kube-proxy with the derived ClusterIP, answered by pods of B and C", async () => {
    const ip = await derivedIP(kc('a'), 'db');
    const netns = cp.nodes!.node('a-node-1', 'a').plan.netns;
    await waitFor('kube-proxy rules for the derived Service', () => {
      const rules = execFileSync('ip', ['netns', 'exec', netns, 'nft', 'list', 'table', 'ip', 'kube-proxy']);
      const text = rules.toString();
      return Promise.resolve(
        text.includes(ip) && ipsOf('b/db-b-0', 'c/db-c-0').every((p) => text.includes(p)),
      );
    });
    await waitPodsReady(kc('a'), NS, ['client']);
    const seen = new Set<string>();
    await waitFor(
      `answers from B and C through ${ip}:80`,
      async () => {
        const script = `for i in $(seq 16); do nc -w 2 ${ip} 80 </dev/null; done`;
        const r = await kubectl(kc('a'), ['exec', '-n', NS, 'client', '--', 'sh', '-c', script], {
          timeoutMs: 90_000,
        });
        for (const m of r.stdout.matchAll(/^pod=(\S+) /gm)) seen.add(m[1]!);
        return ['db-b-0', 'db-c-0'].every((p) => seen.has(p));
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
  });

  it('reports a port conflict between B and C on both exports; the older export wins', async () => {
    await applyIn(kc('b'), [servicePort('web', 80)]);
    await applyIn(kc('c'), [servicePort('web', 81)]);
    await applyIn(kc('b'), [serviceExport('web')]);
    await new Promise((r) => setTimeout(r, 1500)); // creationTimestamp has second precision
    await applyIn(kc('c'), [serviceExport('web')]);
    for (const c of ['b', 'c'])
      await waitFor(
        `Conflict on ${c}'s export`,
        async () => (await exportCondition(kc(c), 'web', 'Conflict')).startsWith('True/PortConflict/'),
        { timeoutMs: 60_000 },
      );
    assert.match(
      await exportCondition(kc('c'), 'web', 'Conflict'),
      /port "tcp" is 80\/TCP in cluster b but 81\/TCP in cluster c.*oldest export \(cluster b\)/,
    );
    await waitFor(
      'A imports the older port',
      async () => (await importOf(kc('a'), 'web'))?.ports === 'tcp:80/TCP',
    );
    assert.deepEqual((await importOf(kc('a'), 'web'))?.clusters, ['b', 'c']);
    // A plugin takes no flag before its name, so the kubeconfig goes in KUBECONFIG.
    const env = {
      ...process.env,
      PATH: `${join(packageRoot(), 'kubectl-plugin/bin')}:${process.env.PATH ?? ''}`,
    };
    const inC = await run('kubectl', ['mesh', 'status'], { env: { ...env, KUBECONFIG: kc('c') } });
    assert.match(
      inC.stdout,
      /NAMESPACE\s+SERVICE\s+MCS\s+TYPE\s+IP\s+FROM\s+VALID\s+READY\s+CONFLICT\s+PROBLEM/,
    );
    assert.match(inC.stdout, /shop\s+web\s+export\s+-\s+-\s+-\s+True\s+True\s+True\s+PortConflict: /);
    const inA = await run('kubectl', ['mesh', 'status'], { env: { ...env, KUBECONFIG: kc('a') } });
    assert.match(inA.stdout, /shop\s+web\s+import\s+ClusterSetIP\s+\d+\.\d+\.\d+\.\d+\s+b,c\s+/);
  });

  it('removes the import, derived Service and slices when no cluster exports any more', async () => {
    await unexport(kc('b'), 'db');
    await waitFor('only C left', async () => (await importOf(kc('a'), 'db'))?.clusters.join() === 'c');
    await unexport(kc('c'), 'db');
    await waitFor('import gone', async () => (await importOf(kc('a'), 'db')) === undefined);
    await waitFor('derived Service gone', async () => (await derivedIP(kc('a'), 'db')) === '');
    await waitFor('slices gone', async () => (await slicesOf(kc('a'), derived)).length === 0);
  });
});
