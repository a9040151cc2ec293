// apply.test.ts: how the policy table changes in the kernel, as root, in network namespaces
// (test/dataplane/policybed.ts): a new member costs one element statement, a removed one loses its
// established connection (conntrack), a restarted agent adopts the table without changing a byte
// or losing a packet of a running flow, and changes made by hand are repaired.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { CompiledPolicy, PolicyModel } from '../../api/policy.js';
import { connect, policyBed, sets, type PolicyBed } from '../../test/dataplane/policybed.js';
import { PolicyApplier } from './apply.js';
import { renderPolicy } from './render.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const T = 'inet fedmesh-policy';

// until polls cond every 50 ms for at most ms (node processes are slow on a busy machine, and a
// flow picked up again resumes after a TCP retransmission, whose timeout grows with the load).
async function until(cond: () => boolean, ms = 5000): Promise<void> {
  for (let i = 0; i < ms / 50 && !cond(); i++) await sleep(50);
}

// A client that writes to the echo server every 20 ms and prints the bytes echoed so far.
const streamCode = (host: string): string => `const c = require('net').connect(5433, '${host}'); let n = 0;
  c.setNoDelay(true); c.on('connect', () => setInterval(() => c.write('x'), 20)); c.on('data', d => n += d.length);
  c.on('error', () => undefined); setInterval(() => console.log(n), 100);`;
const UDP_SERVER = `const s = require('dgram').createSocket('udp6'); const seen = new Set();
  s.on('message', m => { seen.add(String(m)); console.log(seen.size); }); s.bind(5434, '::', () => console.log('up'));`;
const udpClient = (
  host: string,
  n: number,
): string => `const s = require('dgram').createSocket('udp4'); let i = 0;
  const t = setInterval(() => { s.send(String(i++), 5434, '${host}'); if (i === ${n}) { clearInterval(t); setTimeout(() => process.exit(0), 200); } }, 10);`;

// lastNumber follows the last number a child printed.
function lastNumber(child: ChildProcess): () => number {
  let last = 0;
  child.stdout!.on('data', (d: Buffer) => {
    const lines = d.toString().trim().split('\n');
    last = Number(lines.at(-1)) || last;
  });
  return () => last;
}

describe('node policy apply: increments, conntrack, adoption, repair (root, network namespaces)', () => {
  let t: PolicyBed;
  let model: (fe: string[]) => PolicyModel;
  let policy: CompiledPolicy;

  before(async () => {
    assert.equal(process.getuid?.(), 0, 'policy dataplane tests need root (CI runs as root)');
    t = await policyBed();
    policy = {
      key: 'db/allow-fe',
      appliesTo: 'db',
      ingress: [
        {
          index: 0,
          action: 'Allow',
          protocol: 'TCP',
          source: { set: 'fe' },
          destination: { ports: [{ first: 5432, last: 5433 }] },
        },
        {
          index: 1,
          action: 'Allow',
          protocol: 'UDP',
          source: { set: 'fe' },
          destination: { ports: [{ first: 5434, last: 5434 }] },
        },
      ],
    };
    model = (fe) => ({ policies: [policy], sets: sets({ db: [t.db.ip, t.db.ip6], fe }) });
    await t.apply(model([t.fe.ip]));
  });
  after(async () => {
    await t?.applier.remove().catch(() => undefined);
    t?.bed.close();
  });

  it('lets a member added to the allowed set in, with a transaction that only adds the element', async () => {
    assert.equal(connect(t.other.pod, t.db.ip, 5432), 'timeout');
    const out = await t.apply(model([t.fe.ip, t.other.ip]));
    assert.equal(out.script, `add element ${T} fe.v4 { ${t.other.ip} }\n`);
    assert.equal(out.processes, 1, 'one nft process, nothing listed');
    assert.equal(connect(t.other.pod, t.db.ip, 5432), t.other.ip);
  });

  it("cuts a removed member's established connection and keeps the others'", async () => {
    const cut = t.bed.start(t.other.pod, [process.execPath, '-e', streamCode(t.db.ip)]);
    const kept = t.bed.start(t.fe.pod, [process.execPath, '-e', streamCode(t.db.ip)]);
    const [cutBytes, keptBytes] = [lastNumber(cut), lastNumber(kept)];
    await until(() => cutBytes() > 20 && keptBytes() > 20, 10_000);
    assert.ok(cutBytes() > 20 && keptBytes() > 20, `streams echoed ${cutBytes()} and ${keptBytes()}`);
    const out = await t.apply(model([t.fe.ip]));
    assert.deepEqual(out.conntrack, [`-D -s ${t.other.ip}`]);
    assert.equal(out.conntrackError, undefined);
    await sleep(300);
    const [c1, k1] = [cutBytes(), keptBytes()];
    await sleep(600);
    await until(() => keptBytes() > k1 + 10);
    cut.kill();
    kept.kill();
    assert.equal(cutBytes(), c1, 'the removed member no longer gets echoes');
    assert.ok(keptBytes() > k1 + 10, `the allowed stream went on: ${k1} -> ${keptBytes()}`);
  });

  it("cuts a pod's connections when it leaves a policy, and keeps those another policy allows", async () => {
    const allowOther: CompiledPolicy = {
      key: 'db/allow-other',
      appliesTo: 'db-b',
      ingress: [{ index: 0, action: 'Allow', source: { set: 'others' } }],
    };
    const m = (dbB: string[]): PolicyModel => ({
      policies: [policy, allowOther],
      sets: sets({ db: [t.db.ip, t.db.ip6], fe: [t.fe.ip], others: [t.other.ip], 'db-b': dbB }),
    });
    await t.apply(m([t.db.ip, t.db.ip6]));
    try {
      const cut = t.bed.start(t.other.pod, [process.execPath, '-e', streamCode(t.db.ip)]);
      const kept = t.bed.start(t.fe.pod, [process.execPath, '-e', streamCode(t.db.ip)]);
      const [cutBytes, keptBytes] = [lastNumber(cut), lastNumber(kept)];
      await until(() => cutBytes() > 20 && keptBytes() > 20, 10_000);
      assert.ok(cutBytes() > 20 && keptBytes() > 20, `streams echoed ${cutBytes()} and ${keptBytes()}`);
      const out = await t.apply(m([]));
      assert.deepEqual(out.conntrack, [`-D -d ${t.db.ip}`, `-D -d ${t.db.ip6}`]);
      await sleep(700);
      const [c1, k1] = [cutBytes(), keptBytes()];
      await sleep(600);
      await until(() => keptBytes() > k1 + 10, 10_000); // resumes after a TCP retransmission
      cut.kill();
      kept.kill();
      assert.equal(cutBytes(), c1, 'only the policy db left allowed it');
      assert.ok(keptBytes() > k1 + 10, `picked up again and allowed by db/allow-fe: ${k1} -> ${keptBytes()}`);
    } finally {
      await t.apply(model([t.fe.ip])); // the state the next tests start from
    }
  });

  it('adopts the table after a restart: byte-identical, and no datagram of a running flow lost', async () => {
    const listing = (): Promise<string> => t.n1.run.nft(['-a', '-s', 'list', 'table', ...T.split(' ')]);
    const server = t.bed.start(t.db.pod, [process.execPath, '-e', UDP_SERVER]);
    await new Promise((r) => server.stdout!.once('data', r));
    const received = lastNumber(server);
    const before = await listing();
    const client = t.bed.start(t.fe.pod, [process.execPath, '-e', udpClient(t.db.ip, 200)]);
    await sleep(500);
    const out = await new PolicyApplier(t.n1.run).apply(renderPolicy(model([t.fe.ip]), t.local));
    await new Promise((r) => client.once('exit', r));
    await sleep(100);
    server.kill();
    assert.equal(out.observed, true);
    assert.equal(out.script, '');
    assert.deepEqual(out.conntrack, []);
    assert.equal(await listing(), before, 'the same rules with the same handles');
    assert.equal(received(), 200);
    assert.equal(connect(t.other.pod, t.db.ip, 5432), 'timeout', 'a denied client stays denied');
  });

  it('repairs what was changed by hand when it observes the table again', async () => {
    const stateless = (): Promise<string> => t.n1.run.nft(['-s', 'list', 'table', ...T.split(' ')]);
    const want = await stateless();
    await t.n1.run.nft(
      ['-f', '-'],
      `insert rule ${T} pod-in/${t.db.ip} counter accept
delete element ${T} fe.v4 { ${t.fe.ip} }
add chain ${T} stray
`,
    );
    assert.equal(connect(t.other.pod, t.db.ip, 5432), t.other.ip, 'the hand-made rule lets anyone in');
    const out = await t.apply(model([t.fe.ip]), { observe: true });
    assert.deepEqual(out.chainsWritten, [`pod-in/${t.db.ip}`]);
    assert.deepEqual(out.chainsDeleted, ['stray']);
    assert.equal(out.elementsAdded, 1);
    assert.equal(await stateless(), want);
    assert.equal(connect(t.other.pod, t.db.ip, 5432), 'timeout');
    assert.equal(connect(t.fe.pod, t.db.ip, 5432), t.fe.ip);
  });
  it('replaces the table in one transaction when the repair cannot be applied change by change', async () => {
    const stateless = (): Promise<string> => t.n1.run.nft(['-s', 'list', 'table', ...T.split(' ')]);
    const want = await stateless();
    await t.n1.run.nft(
      ['-f', '-'],
      `flush chain ${T} policy-in/db/allow-fe
delete set ${T} fe.v4
add set ${T} fe.v4 { type ipv6_addr; }
`,
    );
    const out = await t.apply(model([t.fe.ip]), { observe: true });
    assert.equal(out.replaced, true);
    assert.equal(await stateless(), want);
    assert.equal(connect(t.fe.pod, t.db.ip, 5432), t.fe.ip);
    assert.equal(connect(t.other.pod, t.db.ip, 5432), 'timeout');
  });
});
