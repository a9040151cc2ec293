// nodes.test.ts: two clusters with two dual-stack real nodes each (containerd, kubelet, kube-proxy
// in a network and a mount namespace per node): nodes Ready with their pod CIDRs, pods Running
// with IPv4 and IPv6 addresses from their node's CIDRs, each node's own CNI folders at the
// standard paths, kubectl exec/logs across nodes (IPv4 and IPv6), a Service load-balanced by kube-proxy to both
// backends, pod deletion freeing IP and netns, and teardown leaving nothing, also after SIGKILL.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startControlPlane, type ControlPlane } from '../controlplane.js';
import { kubectl, kubectlOk } from '../kubectl.js';
import { waitFor } from '../wait.js';
import { NODE_PATHS } from './config.js';
import type { RealNode } from './node.js';
import { kernelSettings, leftovers, tracesOf, type NodeTraces } from './leftovers.js';
import { createTestPods, getPods, waitPodsReady, type PodInfo } from './pods.js';
import { nodesUnavailable } from './prerequisites.js';
import { envFile } from './registry.js';

const CLUSTERS = ['cluster-a', 'cluster-b'];
// Root-only tests run in CI (as root); elsewhere they fail saying why.
const unavailable = nodesUnavailable();

/** inCIDR reports whether an IPv4 address lies in a CIDR. */
function inCIDR(ip: string, cidr: string): boolean {
  const [net, bits] = cidr.split('/') as [string, string];
  const n = (a: string): number => a.split('.').reduce((x, o) => x * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(n(ip) / size) === Math.floor(n(net) / size);
}

/** netnsMounts lists the network namespaces mounted under the node's folder (containerd keeps pod
 * netns in its state), as the node's mount namespace sees them. */
function netnsMounts(node: RealNode): string[] {
  const dir = node.files.dir;
  return readFileSync(`/proc/${node.mounts!.child.pid}/mountinfo`, 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f[4]?.startsWith(dir + '/') && f[f.indexOf('-') + 1] === 'nsfs')
    .map((f) => f[4]!);
}

// The nodes' paths the host has of its own (the nodes see theirs only in their mount namespaces).
const hostHad = Object.values(NODE_PATHS).map(existsSync);

describe('real nodes: two clusters with two nodes each', () => {
  let cp: ControlPlane;
  let baseline: Record<string, string>;
  const pods = new Map<string, PodInfo[]>();
  const kc = (c: string): string => cp.cluster(c).kubeconfig;
  const exec = (c: string, pod: string, sh: string): Promise<string> =>
    kubectlOk(kc(c), ['exec', pod, '--', 'sh', '-c', sh], { timeoutMs: 60_000 });

  before(async () => {
    assert.equal(unavailable, undefined, unavailable);
    baseline = kernelSettings();
    cp = await startControlPlane({ clusters: CLUSTERS, nodes: { perCluster: 2, ipv6: true } });
    for (const c of CLUSTERS) {
      await createTestPods(
        kc(c),
        [1, 2].map((i) => ({ name: `echo-${i}`, node: `${c}-node-${i}`, labels: { app: 'echo' } })),
        cp.nodes!.images.workload.ref,
      );
    }
    for (const c of CLUSTERS) pods.set(c, await waitPodsReady(kc(c), 'default', ['echo-1', 'echo-2']));
  });
  after(() => cp?.stop());

  it('registers every node Ready with its InternalIP and pod CIDR', async () => {
    for (const plan of cp.nodes!.plan.clusters) {
      const out = await kubectlOk(kc(plan.name), [
        'get',
        'nodes',
        '-o',
        'jsonpath={range .items[*]}{.metadata.name} {.spec.podCIDR} {.status.addresses[?(@.type=="InternalIP")].address} {.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}',
      ]);
      const want = plan.nodes.map((n) => `${n.name} ${n.podCIDR} ${n.ip} True`).join('\n');
      assert.equal(out.trim(), want);
    }
  });

  it("runs a pod on each node with an IP from that node's pod CIDR", () => {
    for (const plan of cp.nodes!.plan.clusters) {
      for (const [i, n] of plan.nodes.entries()) {
        const p = pods.get(plan.name)![i]!;
        assert.equal(p.node, n.name);
        assert.equal(p.phase, 'Running');
        assert.ok(inCIDR(p.ip, n.podCIDR), `${p.name} has ${p.ip}, outside ${n.podCIDR}`);
        const prefix6 = n.podCIDR6.replace(/::\/64$/, '::');
        assert.ok(p.ip6.startsWith(prefix6), `${p.name} has IPv6 ${p.ip6}, outside ${n.podCIDR6}`);
      }
    }
  });

  it('gives each node its own CNI folders and /run/fedmesh at the standard paths, not the host', () => {
    for (const node of cp.nodes!.nodes) {
      const inNode = (cmd: string[]): string =>
        execFileSync('nsenter', [`--mount=/proc/${node.mounts!.child.pid}/ns/mnt`, '--', ...cmd], {
          encoding: 'utf8',
        });
      assert.match(
        inNode(['cat', `${NODE_PATHS.cniConfDir}/10-fedmesh.conflist`]),
        new RegExp(node.plan.podCIDR.replace(/\./g, '\\.')),
      );
      assert.match(inNode(['ls', NODE_PATHS.cniBinDir]), /^bridge$/m);
      const mine = `${node.name}.probe`;
      writeFileSync(join(node.files.runDir, mine), '');
      assert.match(inNode(['ls', NODE_PATHS.runDir]), new RegExp(`^${mine}$`, 'm'));
      assert.ok(!existsSync(join(NODE_PATHS.runDir, mine)), 'the host does not see the node folder');
      assert.ok(
        !existsSync(`${NODE_PATHS.cniConfDir}/10-fedmesh.conflist`),
        'the host conflist folder is untouched',
      );
    }
  });

  it('kubectl exec in one pod reaches the pod on the other node, which sees its real address', async () => {
    for (const c of CLUSTERS) {
      const [p1, p2] = pods.get(c)!;
      const out = await exec(c, 'echo-1', `nc ${p2!.ip} 8080 </dev/null`);
      assert.match(out, new RegExp(`^pod=echo-2 peer=${p1!.ip.replace(/\./g, '\\.')}:\\d+$`, 'm'));
      const out6 = await exec(c, 'echo-1', `nc ${p2!.ip6} 8080 </dev/null`);
      assert.match(out6, new RegExp(`^pod=echo-2 peer=\\[${p1!.ip6}\\]:\\d+$`, 'm'), 'over IPv6 too');
      const logs = await kubectlOk(kc(c), ['logs', 'echo-2']);
      assert.match(logs, new RegExp(`connection from ${p1!.ip.replace(/\./g, '\\.')}:`));
    }
  });

  it('shows the pods with node and IP in kubectl get pods -o wide', async () => {
    const out = await kubectlOk(kc('cluster-a'), ['get', 'pods', '-o', 'wide']);
    for (const p of pods.get('cluster-a')!)
      assert.match(out, new RegExp(`^${p.name}\\s+1/1\\s+Running.*${p.ip}\\s+${p.node}`, 'm'));
  });

  it('answers a Service from both backends through kube-proxy', async () => {
    const c = 'cluster-b';
    await kubectlOk(kc(c), [
      'expose',
      'pod',
      'echo-1',
      '--name=echo',
      '--port=80',
      '--target-port=8080',
      '--selector=app=echo',
    ]);
    const ip = (await kubectlOk(kc(c), ['get', 'svc', 'echo', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    await waitFor(
      'EndpointSlice of echo with two ready endpoints',
      async () =>
        (
          await kubectlOk(kc(c), [
            'get',
            'endpointslices',
            '-l',
            'kubernetes.io/service-name=echo',
            '-o',
            'jsonpath={range .items[*].endpoints[?(@.conditions.ready==true)]}{.addresses[0]}{"\\n"}{end}',
          ])
        )
          .trim()
          .split('\n')
          .filter(Boolean).length === 2,
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    // kube-proxy syncs the nftables rules within a second or so after the slice changes.
    const seen = new Set<string>();
    await waitFor(
      `both backends answering ${ip}:80`,
      async () => {
        const out = await exec(c, 'echo-1', `for i in 1 2 3 4 5 6 7 8 9 10; do nc ${ip} 80 </dev/null; done`);
        for (const m of out.matchAll(/^pod=(\S+) /gm)) seen.add(m[1]!);
        return seen.has('echo-1') && seen.has('echo-2');
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    assert.deepEqual([...seen].sort(), ['echo-1', 'echo-2']);
  });

  it('frees the IP and the network namespace of a deleted pod', async () => {
    const c = 'cluster-a';
    const node = cp.nodes!.node(`${c}-node-1`, c);
    const before = new Set(netnsMounts(node));
    await createTestPods(
      kc(c),
      [{ name: 'short-lived', node: node.name, command: ['sleep', '3600'] }],
      cp.nodes!.images.workload.ref,
    );
    await waitFor(
      'short-lived Running',
      async () => (await getPods(kc(c), 'default', ['short-lived']))[0]!.phase === 'Running',
      {
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
    const [p] = await getPods(kc(c), 'default', ['short-lived']);
    const lease = join(node.files.ipamDir, cp.nodes!.plan.prefix, p!.ip);
    assert.ok(existsSync(lease), `no host-local lease ${lease} for ${p!.ip}`);
    const added = netnsMounts(node).filter((n) => !before.has(n));
    assert.equal(added.length, 1, `new pod network namespaces: ${added.join(', ')}`);
    await kubectlOk(kc(c), ['delete', 'pod', 'short-lived', '--wait=true', '--timeout=60s']);
    await waitFor(
      'lease and netns released',
      async () => !existsSync(lease) && !netnsMounts(node).includes(added[0]!),
      {
        timeoutMs: 30_000,
        intervalMs: 250,
      },
    );
    const r = await kubectl(kc(c), ['get', 'pod', 'short-lived']);
    assert.match(r.stderr, /NotFound/);
  });

  it('leaves nothing behind after stop, and restores the kernel settings', async () => {
    const t = tracesOf(cp.nodes!);
    assert.ok(
      t.pids.length >= 12,
      `expected containerd, kubelet, kube-proxy, shims and pods, got ${t.pids.length} processes`,
    );
    await cp.stop();
    assert.deepEqual(leftovers(t), []);
    assert.deepEqual(kernelSettings(), baseline);
    assert.deepEqual(Object.values(NODE_PATHS).map(existsSync), hostHad, 'the host gained no CNI folder');
  });
});

describe('real nodes: owner killed', () => {
  it('the reaper removes everything after SIGKILL of the test process', async () => {
    assert.equal(unavailable, undefined, unavailable);
    const baseline = kernelSettings();
    const script = `
      import { startControlPlane } from './test/harness/controlplane.ts';
      import { tracesOf } from './test/harness/nodes/leftovers.ts';
      import { createTestPods, waitPodsReady } from './test/harness/nodes/pods.ts';
      const cp = await startControlPlane({ clusters: ['solo'], nodes: { perCluster: 1 } });
      const kc = cp.cluster('solo').kubeconfig;
      await createTestPods(kc, [{ name: 'p', node: 'solo-node-1' }], cp.nodes.images.workload.ref);
      await waitPodsReady(kc, 'default', ['p']);
      console.log(JSON.stringify({ ...tracesOf(cp.nodes), cpDir: cp.dir }));
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.once('exit', (code) => reject(new Error(`harness child exited early (${code})`)));
    });
    const t = JSON.parse(line) as NodeTraces & { cpDir: string };
    assert.ok(t.pids.length >= 5, `containerd, kubelet, kube-proxy, a shim and the pod: ${t.pids.length}`);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    await waitFor('the reaper to finish', async () => !existsSync(envFile(t.prefix)), {
      timeoutMs: 60_000,
      intervalMs: 250,
    });
    assert.deepEqual(leftovers(t), []);
    assert.deepEqual(kernelSettings(), baseline);
    // The control-plane folder goes too (its own reaper; its processes die by parent-death signal).
    await waitFor('the control-plane folder removed', async () => !existsSync(t.cpDir), {
      timeoutMs: 10_000,
    });
  });
});
