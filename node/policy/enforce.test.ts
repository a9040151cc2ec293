// enforce.test.ts: policies enforced on real traffic, as root, in network namespaces
// (test/dataplane/policybed.ts): node n1 with local pods db, web and idle, node n2 with remote pods
// fe and other. Each case applies a model for n1's pods and connects: remote and same-node sources,
// a host endpoint of another node, egress, order, Pass, nets, port ranges, IPv6.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { CompiledPolicy, CompiledRule, PortRange } from '../../api/policy.js';
import { connect, policyBed, sets, type PolicyBed } from '../../test/dataplane/policybed.js';

const ports = (...p: [number, number][]): PortRange[] => p.map(([first, last]) => ({ first, last }));
const allow = (index: number, source: CompiledRule['source'], p = ports([5432, 5432])): CompiledRule => ({
  index,
  action: 'Allow',
  protocol: 'TCP',
  ...(source ? { source } : {}),
  destination: { ports: p },
});
const onDB = (key: string, ingress: CompiledRule[], order?: number): CompiledPolicy => ({
  key,
  ...(order === undefined ? {} : { order }),
  appliesTo: 'db',
  ingress,
});
const TIMEOUT = 'timeout';

describe('node policy enforcement (root, network namespaces)', () => {
  let t: PolicyBed;
  let base: Record<string, string[]>;

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'policy dataplane tests need root (CI runs as root)');
    t = await policyBed();
    base = { db: [t.db.ip, t.db.ip6], web: [t.web.ip, t.web.ip6], fe: [t.fe.ip] };
  });
  after(async () => {
    await t?.applier.remove().catch(() => undefined);
    t?.bed.close();
  });

  it('lets an allowed remote pod connect on TCP 5432 and refuses another pod and other ports', async () => {
    await t.apply({ policies: [onDB('db/allow-fe', [allow(0, { set: 'fe' })])], sets: sets(base) });
    assert.equal(connect(t.fe.pod, t.db.ip, 5432), t.fe.ip);
    assert.equal(connect(t.other.pod, t.db.ip, 5432), TIMEOUT);
    assert.equal(connect(t.fe.pod, t.db.ip, 8080), TIMEOUT);
    assert.equal(connect(t.web.pod, t.db.ip, 5432), TIMEOUT, 'a same-node pod is refused too');
  });

  it('leaves a pod selected by no policy alone, and lets the node itself reach its selected pods', () => {
    assert.equal(connect(t.other.pod, t.idle.ip, 8080), t.other.ip);
    assert.equal(connect(t.web.pod, t.idle.ip, 8080), t.web.ip);
    assert.equal(connect(t.n1.netns, t.db.ip, 8080), `10.${t.bed.slot}.1.1`, 'kubelet probes pass');
  });

  it("takes another node's address (a host endpoint) as a source like a pod's", async () => {
    const s = sets({ ...base, fe: [t.n2.ip] });
    await t.apply({ policies: [onDB('db/allow-fe', [allow(0, { set: 'fe' })])], sets: s });
    assert.equal(connect(t.n2.netns, t.db.ip, 5432), t.n2.ip);
    assert.equal(connect(t.fe.pod, t.db.ip, 5432), TIMEOUT);
  });

  it('matches nets and port ranges', async () => {
    const rule = allow(0, { nets: [t.n2.podCIDR, 'fd00:99::/32'] }, ports([5430, 5433], [9000, 9000]));
    await t.apply({ policies: [onDB('db/nets', [rule])], sets: sets(base) });
    assert.equal(connect(t.other.pod, t.db.ip, 5432), t.other.ip);
    assert.equal(connect(t.fe.pod, t.db.ip, 5432), t.fe.ip);
    assert.equal(connect(t.fe.pod, t.db.ip, 8080), TIMEOUT);
    assert.equal(connect(t.web.pod, t.db.ip, 5432), TIMEOUT, 'outside the nets');
  });

  it("enforces a pod's egress policy on the pod's node, for same-node and remote destinations", async () => {
    const egress: CompiledPolicy = {
      key: 'web/to-db',
      appliesTo: 'web',
      egress: [
        {
          index: 0,
          action: 'Allow',
          protocol: 'TCP',
          destination: { set: 'db', ports: ports([5432, 5432]) },
        },
      ],
    };
    await t.apply({ policies: [egress], sets: sets(base) });
    assert.equal(connect(t.web.pod, t.db.ip, 5432), t.web.ip);
    // IPv6 on one bridge: neighbour discovery between the pods crosses the forward hook too.
    for (const p of [t.web, t.db]) execFileSync('ip', ['-n', p.pod, '-6', 'neigh', 'flush', 'dev', 'eth0']);
    assert.equal(connect(t.web.pod, t.db.ip6, 5432), t.web.ip6);
    assert.equal(connect(t.web.pod, t.db.ip, 8080), TIMEOUT);
    assert.equal(connect(t.web.pod, t.fe.ip, 8080), TIMEOUT);
    assert.equal(connect(t.idle.pod, t.fe.ip, 8080), t.idle.ip, 'another pod is not restricted');
    assert.equal(connect(t.fe.pod, t.db.ip, 8080), t.fe.ip, 'no ingress policy on db');
  });

  it('enforces egress to the node itself (input hook), over IPv6 with neighbour discovery', async () => {
    const node6 = `fd00:${t.bed.slot}:1::1`;
    const egress: CompiledPolicy = {
      key: 'web/to-node',
      appliesTo: 'web',
      egress: [{ index: 0, action: 'Allow', protocol: 'TCP', destination: { nets: [`${node6}/128`] } }],
    };
    await t.n1.run.ip(['-6', 'neigh', 'flush', 'dev', 'cni0']); // the pod must resolve its node again
    await t.bed.serve(t.n1.netns, 8081);
    await t.apply({ policies: [egress], sets: sets(base) });
    assert.equal(connect(t.web.pod, node6, 8081), t.web.ip6);
    assert.equal(connect(t.web.pod, `10.${t.bed.slot}.1.1`, 8081), TIMEOUT);
    assert.equal(connect(t.idle.pod, `10.${t.bed.slot}.1.1`, 8081), t.idle.ip);
  });

  it('applies a Deny before an Allow by order, and the Allow again when the Deny comes later', async () => {
    const deny = (order: number): CompiledPolicy =>
      onDB('db/deny', [{ index: 0, action: 'Deny', protocol: 'TCP', source: { set: 'blocked' } }], order);
    const s = sets({ ...base, fe: [t.fe.ip, t.other.ip], blocked: [t.fe.ip] });
    const allowFE = onDB('db/allow-fe', [allow(0, { set: 'fe' })], 10);
    await t.apply({ policies: [deny(1), allowFE], sets: s });
    assert.equal(connect(t.fe.pod, t.db.ip, 5432), TIMEOUT);
    assert.equal(connect(t.other.pod, t.db.ip, 5432), t.other.ip);
    await t.apply({ policies: [deny(20), allowFE], sets: s });
    assert.equal(connect(t.fe.pod, t.db.ip, 5432), t.fe.ip);
  });

  it('skips the rest of a policy on Pass, logs and counts on Log', async () => {
    const triage = onDB(
      'db/triage',
      [
        { index: 0, action: 'Log', protocol: 'TCP' },
        { index: 1, action: 'Pass', source: { set: 'fe' } },
        { index: 2, action: 'Deny' },
      ],
      1,
    );
    const allowNets = onDB('db/allow-n2', [allow(0, { nets: [t.n2.podCIDR] })], 10);
    await t.apply({ policies: [triage, allowNets], sets: sets(base) });
    assert.equal(connect(t.fe.pod, t.db.ip, 5432), t.fe.ip, 'passed to the next policy');
    assert.equal(connect(t.other.pod, t.db.ip, 5432), TIMEOUT, 'denied by the rest of the policy');
    const listing = await t.n1.run.nft(['list', 'chain', 'inet', 'fedmesh-policy', 'policy-in/db/triage']);
    const logged = /counter packets (\d+) bytes \d+ log prefix "fedmesh db\/triage ingress\[0\]: "/.exec(
      listing,
    );
    assert.ok(Number(logged?.[1]) >= 2, listing);
  });

  it('enforces IPv6 addresses of the same sets', async () => {
    const s = sets({ ...base, fe: [t.web.ip6] });
    await t.apply({ policies: [onDB('db/allow-fe', [allow(0, { set: 'fe' })])], sets: s });
    assert.equal(connect(t.web.pod, t.db.ip6, 5432), t.web.ip6);
    assert.equal(connect(t.idle.pod, t.db.ip6, 5432), TIMEOUT);
    assert.equal(connect(t.web.pod, t.db.ip, 5432), TIMEOUT, 'its IPv4 address is not in the set');
    assert.equal(connect(t.idle.pod, t.web.ip6, 8080), 'ECONNREFUSED', 'web is selected by no policy');
  });
});
