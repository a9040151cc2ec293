// enforcer.test.ts: the policy enforcer as fedmesh-node runs it, as root, in a network namespace:
// gated on sync (nothing applied, the kernel left as it is, an ADD refused after a bounded wait
// saying why), and fedmesh-cni's ADD answered only once the pod's policy is in the kernel.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PolicyModel } from '../../api/policy.js';
import { CniServer } from '../agent/cniserver.js';
import { ask, type PodRegistration } from '../cni/protocol.js';
import { Runner } from '../dataplane/exec.js';
import { PolicyEnforcer, type PolicySource } from './enforcer.js';
import type { LocalPod } from './render.js';

const NS = `fmpol${process.pid}`;
const POD = '10.244.7.10';
const LIST = ['list', 'table', 'inet', 'fedmesh-policy'];

// FakeSource is a source whose model the test sets (the lead's API watch in fedmesh-node).
class FakeSource implements PolicySource {
  current?: PolicyModel;
  localPods?: () => LocalPod[];
  private listeners: (() => void)[] = [];
  model = (): PolicyModel | undefined => this.current;
  waiting = (): string => 'cluster west: initial list';
  subscribe(onChange: () => void): () => void {
    this.listeners.push(onChange);
    return () => (this.listeners = this.listeners.filter((l) => l !== onChange));
  }
  set(m: PolicyModel | undefined): void {
    this.current = m;
    for (const l of this.listeners) l();
  }
}

const model: PolicyModel = {
  policies: [
    { key: 'db/allow', appliesTo: 'db', ingress: [{ index: 0, action: 'Allow', source: { set: 'fe' } }] },
  ],
  sets: new Map([
    ['db', new Set([POD])],
    ['fe', new Set(['10.1.0.1'])],
  ]),
};

const registration = (ip: string): PodRegistration => ({
  containerID: `c-${ip}`,
  ifname: 'eth0',
  network: 'test',
  netns: '/var/run/netns/x',
  ips: [`${ip}/24`],
});

describe('node policy enforcer: gated on sync, CNI ADD after the policy (root, network namespace)', () => {
  let dir: string;
  let run: Runner;
  let started: { enforcer: PolicyEnforcer; server: CniServer; source: FakeSource }[] = [];

  // agent wires an enforcer and a CNI server as fedmesh-node does.
  async function agent(
    source: FakeSource,
    waitMs: number,
  ): Promise<{ enforcer: PolicyEnforcer; socket: string }> {
    const socket = join(dir, `agent${started.length}.sock`);
    const pods = (): { ips: string[] }[] =>
      server.registered().map((p) => ({ ips: p.ips.map((i) => i.replace(/\/\d+$/, '')) }));
    const enforcer = new PolicyEnforcer({ runner: run, source, pods, log: () => undefined, debounceMs: 10 });
    const server: CniServer = new CniServer({
      path: socket,
      mtu: () => undefined,
      ready: () => true,
      changed: () => enforcer.changed(),
      admit: () =>
        enforcer.applied(waitMs).then(
          () => undefined,
          (e: Error) => e.message,
        ),
    });
    await server.listen();
    enforcer.start();
    started.push({ enforcer, server, source });
    return { enforcer, socket };
  }

  async function stopAll(): Promise<void> {
    for (const s of started) {
      await s.enforcer.stop();
      await s.server.close();
    }
    started = [];
  }

  before(() => {
    assert.equal(process.getuid?.(), 0, 'policy dataplane tests need root (CI runs as root)');
    dir = mkdtempSync(join(tmpdir(), 'fmpol-'));
    execFileSync('ip', ['netns', 'add', NS]);
    run = new Runner(NS);
  });
  after(async () => {
    await stopAll();
    execFileSync('ip', ['netns', 'del', NS]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('applies nothing before the model is synced and refuses an ADD after the bounded wait, saying why', async () => {
    const { socket } = await agent(new FakeSource(), 300);
    const reply = await ask(socket, { op: 'add', pod: registration(POD) }, 5000);
    assert.deepEqual(reply, {
      ok: false,
      error: 'policy not applied within 300 ms: waiting for the policy model: cluster west: initial list',
    });
    await assert.rejects(run.nft(LIST), /No such file or directory/);
    await stopAll();
  });

  it("answers an ADD only once the pod's policy is in the kernel", async () => {
    const source = new FakeSource();
    source.set(model);
    const { socket } = await agent(source, 3000);
    const reply = await ask(socket, { op: 'add', pod: registration(POD) }, 5000);
    assert.deepEqual(reply, { ok: true });
    assert.match(
      await run.nft(['list', 'map', 'inet', 'fedmesh-policy', 'pod-in-v4']),
      /10\.244\.7\.10 : jump pod-in\/10\.244\.7\.10/,
    );
    await stopAll();
  });

  it("keeps a restarted agent's table while the model is not synced, and adopts it unchanged once it is", async () => {
    const before = await run.nft(['-a', ...LIST]);
    const source = new FakeSource();
    source.localPods = (): LocalPod[] => [{ ips: [POD] }]; // the pod, as the API knows it
    const { enforcer } = await agent(source, 3000);
    await new Promise((r) => setTimeout(r, 200));
    assert.match(enforcer.status, /^waiting for the policy model/);
    assert.equal(await run.nft(['-a', ...LIST]), before);
    source.set(model);
    await enforcer.applied(3000);
    assert.equal(enforcer.last?.script, '');
    assert.equal(await run.nft(['-a', ...LIST]), before);
  });
});
