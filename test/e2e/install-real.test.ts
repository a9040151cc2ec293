// install-real.test.ts: `kubectl mesh install` on a cluster of real nodes deploys fedmesh from its
// image (built from files as the Containerfile lays it out, imported into each node's containerd):
// fedmesh-apiserver as a real Deployment (pods Running as uid 65532, the APIService Available
// through its in-cluster Service, `kubectl get fep -A` served by those pods, the second replica
// taking over the Lease when the leader's pod is deleted) and fedmesh-node as a real DaemonSet on
// every node: its init container copies the standalone fedmesh-cni into the node's /opt/cni/bin and
// chains it into the node's conflist (each harness node has its own, bind-mounted at the standard
// paths in its mount namespace), the runtime calls it for new pods, and the nodes enforce a
// MeshNetworkPolicy with the image's nft and conntrack.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fedmeshImageRef, buildFedmeshImage, NONROOT } from '../images/fedmesh-image.js';
import { startControlPlane, type ControlPlane } from '../harness/controlplane.js';
import { kubectlOk } from '../harness/kubectl.js';
import { HEALTH_PORT } from '../harness/nodes/agents.js';
import { createTestPods, podGet, waitPodsReady, type PodInfo } from '../harness/nodes/pods.js';
import { NODE_PATHS } from '../harness/nodes/config.js';
import { ECHO_HTTP_PORT } from '../images/test-images.js';
import { nodesUnavailable } from '../harness/nodes/prerequisites.js';
import { packageRoot } from '../harness/root.js';
import { waitFor } from '../harness/wait.js';

const CLUSTER = 'cluster-a';
const SELECTOR = 'app.kubernetes.io/name=fedmesh-apiserver';
const unavailable = nodesUnavailable();

interface Pod {
  metadata: { name: string };
  spec: { nodeName?: string; containers: { image: string }[] };
  status: { phase: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

/** mesh runs `kubectl mesh ARGS` through the real kubectl, the plugin found on PATH as the README says. */
function mesh(kubeconfig: string, args: string[]): Promise<{ code: number; out: string }> {
  const env = {
    ...process.env,
    KUBECONFIG: kubeconfig,
    PATH: `${join(packageRoot(), 'kubectl-plugin/bin')}:${process.env.PATH ?? ''}`,
  };
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['mesh', ...args], { env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, out }));
  });
}

/** serverUids returns the uid of every fedmesh-apiserver process on this machine (the pods' containers). */
function serverUids(): number[] {
  const uids: number[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('/usr/local/bin/fedmesh-apiserver'))
        continue;
      uids.push(Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]));
    } catch {
      // gone meanwhile
    }
  }
  return uids;
}

const ready = (p: Pod): boolean =>
  p.status.phase === 'Running' &&
  p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

describe('kubectl mesh install on real nodes', () => {
  let cp: ControlPlane;
  let kc: string;
  const image = fedmeshImageRef();
  const pods = async (): Promise<Pod[]> =>
    (
      JSON.parse(await kubectlOk(kc, ['get', 'pods', '-n', 'fedmesh', '-l', SELECTOR, '-o', 'json'])) as {
        items: Pod[];
      }
    ).items;
  const leaseHolder = async (): Promise<string> =>
    kubectlOk(kc, [
      'get',
      'lease',
      '-n',
      'fedmesh',
      'fedmesh-apiserver',
      '-o',
      'jsonpath={.spec.holderIdentity}',
    ]);

  before(async () => {
    assert.equal(unavailable, undefined, unavailable);
    cp = await startControlPlane({ clusters: [CLUSTER], nodes: { perCluster: 2, workloads: true } });
    kc = cp.cluster(CLUSTER).kubeconfig;
    const archive = await buildFedmeshImage(join(cp.dir, 'fedmesh-image.tar'));
    assert.equal(archive.ref, image);
    await cp.nodes!.importImage(archive.path);
    await createTestPods(
      kc,
      [{ name: 'web-1', node: `${CLUSTER}-node-1`, labels: { app: 'web' } }],
      cp.nodes!.images.workload.ref,
    );
    await waitPodsReady(kc, 'default', ['web-1']);
  });
  after(() => cp?.stop());

  it('deploys fedmesh-apiserver from the image; the APIService is Available through its Service and serves kubectl get fep -A', async () => {
    const r = await mesh(kc, ['install', '--image', image, '--cluster-name', CLUSTER, '--timeout', '5m']);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /apiservice\/v1alpha1\.federated\.mesh is Available/);

    const dsImages = await kubectlOk(kc, [
      'get',
      'daemonset',
      '-n',
      'fedmesh',
      'fedmesh-node',
      '-o',
      'jsonpath={.spec.template.spec.initContainers[*].image} {.spec.template.spec.containers[*].image}',
    ]);
    assert.equal(dsImages, `${image} ${image}`, 'the DaemonSet runs the same image');

    const running = await pods();
    assert.equal(running.length, 2, 'two replicas');
    for (const p of running) {
      assert.ok(ready(p), `${p.metadata.name} is not Running and Ready`);
      assert.equal(p.spec.containers[0]!.image, image);
      assert.match(p.spec.nodeName ?? '', new RegExp(`^${CLUSTER}-node-\\d$`), 'scheduled on a real node');
    }
    const uids = serverUids();
    assert.ok(
      uids.length >= 2 && uids.every((u) => u === NONROOT),
      `fedmesh-apiserver runs as uid 65532: ${uids.join(' ')}`,
    );

    // The aggregator reaches the pods through the in-cluster Service: a ClusterIP Service whose
    // EndpointSlice holds exactly the pods' IPs.
    assert.equal(
      await kubectlOk(kc, [
        'get',
        'svc',
        '-n',
        'fedmesh',
        'fedmesh-apiserver',
        '-o',
        'jsonpath={.spec.type}',
      ]),
      'ClusterIP',
    );
    const addresses = await kubectlOk(kc, [
      'get',
      'endpointslices',
      '-n',
      'fedmesh',
      '-l',
      'kubernetes.io/service-name=fedmesh-apiserver',
      '-o',
      'jsonpath={.items[*].endpoints[*].addresses[0]}',
    ]);
    assert.deepEqual(addresses.split(' ').sort(), running.map((p) => p.status.podIP!).sort());
    const apiservice = await kubectlOk(kc, ['get', 'apiservice', 'v1alpha1.federated.mesh', '-o', 'json']);
    assert.deepEqual((JSON.parse(apiservice) as { spec: { service: unknown } }).spec.service, {
      name: 'fedmesh-apiserver',
      namespace: 'fedmesh',
      port: 443,
    });

    // Served by those pods: every pod of the cluster, theirs included, as a FederatedEndpoint.
    await waitFor(
      'web-1 and both fedmesh-apiserver pods as federated endpoints',
      async () => {
        const names = await kubectlOk(kc, ['get', 'fep', '-A', '-o', 'name']);
        return [`${CLUSTER}.web-1`, ...running.map((p) => `${CLUSTER}.${p.metadata.name}`)].every((n) =>
          names.includes(`federatedendpoint.federated.mesh/${n}`),
        );
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const wide = await kubectlOk(kc, ['get', 'fep', '-n', 'default', `${CLUSTER}.web-1`, '-o', 'wide']);
    assert.match(wide, new RegExp(`${CLUSTER}\\.web-1\\s+${CLUSTER}\\s+\\S+\\s+${CLUSTER}-node-1`));
  });

  it('another replica takes over when the leader is deleted, and kubectl keeps being served', async () => {
    let holder = '';
    await waitFor('a leader', async () => (holder = await leaseHolder()) !== '', {
      timeoutMs: 60_000,
      intervalMs: 500,
    });
    const before = await pods();
    const leader = before.find((p) => holder.startsWith(`${p.metadata.name}-`));
    assert.ok(leader, `lease holder ${holder} is one of ${before.map((p) => p.metadata.name).join(', ')}`);

    await kubectlOk(kc, ['delete', 'pod', '-n', 'fedmesh', leader.metadata.name, '--wait=true'], {
      timeoutMs: 120_000,
    });
    // The survivor or the Deployment's replacement, whichever asks first once the leader has
    // released the Lease on its way out: never the deleted pod, never nobody for long.
    await waitFor(
      `a replica other than ${leader.metadata.name} holds the lease`,
      async () => {
        const now = await leaseHolder();
        const live = (await pods()).filter((p) => p.metadata.name !== leader.metadata.name);
        return live.some((p) => now.startsWith(`${p.metadata.name}-`));
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    assert.match(
      await kubectlOk(kc, ['get', 'fep', '-n', 'default', '-o', 'name']),
      new RegExp(`${CLUSTER}\\.web-1`),
    );
    // The Deployment replaces the deleted pod; the mesh is whole again.
    await waitFor(
      'two ready replicas again',
      async () => {
        const now = await pods();
        return (
          now.length === 2 && now.every(ready) && !now.some((p) => p.metadata.name === leader.metadata.name)
        );
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
  });

  it('runs fedmesh-node on every node: fedmesh-cni is chained into each node and serves new pods, and the nodes enforce a policy', async () => {
    const ds = JSON.parse(
      await kubectlOk(kc, ['get', 'daemonset', '-n', 'fedmesh', 'fedmesh-node', '-o', 'json']),
    ) as { status: { desiredNumberScheduled: number; numberReady: number } };
    assert.deepEqual([ds.status.desiredNumberScheduled, ds.status.numberReady], [2, 2]);
    for (const n of cp.nodes!.nodes) {
      const conflist = JSON.parse(readFileSync(join(n.files.cniConfDir, '10-fedmesh.conflist'), 'utf8')) as {
        plugins: { type: string }[];
      };
      assert.deepEqual(
        conflist.plugins.map((p) => p.type),
        ['bridge', 'fedmesh-cni'],
        `${n.name}: the installer chains fedmesh-cni after the primary plugin`,
      );
      const plugin = join(n.files.cniBinDir, 'fedmesh-cni');
      assert.ok(lstatSync(plugin).isFile(), `${n.name}: fedmesh-cni is copied, not linked`);
      const version = await runIn(plugin, { CNI_COMMAND: 'VERSION', PATH: '/nonexistent' });
      assert.match(
        version,
        /"supportedVersions"/,
        `${n.name}: the copied plugin runs on the host without Node`,
      );
    }
    const host = NODE_PATHS.cniConfDir;
    assert.deepEqual(
      existsSync(host)
        ? readdirSync(host).filter((f) => readFileSync(join(host, f), 'utf8').includes('fedmesh-cni'))
        : [],
      [],
      "the machine's own CNI folder is untouched",
    );

    const [n1, n2] = [`${CLUSTER}-node-1`, `${CLUSTER}-node-2`];
    await createTestPods(
      kc,
      [
        { name: 'db-1', node: n1, labels: { app: 'db' } },
        { name: 'frontend-1', node: n2, labels: { app: 'frontend' } },
        { name: 'other-1', node: n2, labels: { app: 'other' } },
      ],
      cp.nodes!.images.workload.ref,
    );
    const pods = new Map<string, PodInfo>(
      (await waitPodsReady(kc, 'default', ['db-1', 'frontend-1', 'other-1'])).map((p) => [p.name, p]),
    );
    // Each pod's CNI ADD went through the chained plugin to its node's fedmesh-node.
    for (const n of cp.nodes!.nodes)
      assert.ok(
        (await registeredPods(n.plan.ip)) >= (n.name === n1 ? 1 : 2),
        `${n.name}: fedmesh-node registered the new pods`,
      );

    await kubectlOk(kc, ['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'config.federated.mesh/v1alpha1',
        kind: 'MeshNetworkPolicy',
        metadata: { name: 'db-from-frontends', namespace: 'default' },
        spec: {
          selector: "app == 'db'",
          ingress: [
            {
              action: 'Allow',
              protocol: 'TCP',
              source: { selector: "app == 'frontend'" },
              destination: { ports: [ECHO_HTTP_PORT] },
            },
          ],
        },
      }),
    });
    await waitFor(
      'both nodes enforcing the policy',
      async () =>
        (
          await kubectlOk(kc, [
            'get',
            'nodes',
            '-o',
            'jsonpath={.items[*].status.conditions[?(@.type=="FedmeshPolicyReady")].reason}',
          ])
        )
          .split(' ')
          .filter((r) => r === 'Enforced').length === 2,
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    const reach = async (from: string): Promise<string> => {
      const r = await podGet(kc, from, `http://${pods.get('db-1')!.ip}:${ECHO_HTTP_PORT}/`);
      return r.code === 0 ? (/peer=([^\s]+):\d+/.exec(r.stdout)?.[1] ?? 'garbled') : 'refused';
    };
    await waitFor(
      'frontend-1 allowed to db-1',
      async () => (await reach('frontend-1')) === pods.get('frontend-1')!.ip,
    );
    assert.equal(await reach('other-1'), 'refused', 'a pod the policy does not allow is refused');
  });
});

/** runIn runs an executable with only the given environment and returns its stdout. */
function runIn(bin: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out));
  });
}

/** registeredPods reads fedmesh_node_registered_pods from a node's fedmesh-node. */
async function registeredPods(nodeIP: string): Promise<number> {
  const text = await (await fetch(`http://${nodeIP}:${HEALTH_PORT}/metrics`)).text();
  return Number(/^fedmesh_node_registered_pods\s+(\S+)$/m.exec(text)?.[1] ?? NaN);
}
