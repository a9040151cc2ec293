// plan.test.ts: the transaction from one table state to the next: the first write, nothing when
// nothing changed, element changes for members, flush and rewrite for changed chains only, map
// elements for pods, deletions after everything that referred to them, and the flows to cut.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompiledPolicy, PolicyModel } from '../../api/policy.js';
import { parseTable } from './observe.js';
import { plan } from './plan.js';
import { renderPolicy, type LocalPod } from './render.js';
import { EMPTY_VIEW } from './table.js';

const DB = '10.244.1.10';
const DB2 = '10.244.1.12';
const policy = (key: string, src = 'fe', order = 1): CompiledPolicy => ({
  key,
  order,
  appliesTo: 'db',
  ingress: [{ index: 0, action: 'Allow', protocol: 'TCP', source: { set: src } }],
});
const sets = (s: Record<string, string[]>): PolicyModel['sets'] =>
  new Map(Object.entries(s).map(([k, v]) => [k, new Set(v)]));
const pods: LocalPod[] = [{ ips: [DB] }];
const T = 'inet fedmesh-policy';

describe('plan: the transaction between two table states', () => {
  const m1: PolicyModel = { policies: [policy('db/a')], sets: sets({ db: [DB, DB2], fe: ['10.1.0.1'] }) };
  const t1 = renderPolicy(m1, pods);

  it('writes a new table whole, with the members and map elements', () => {
    const p = plan(t1, EMPTY_VIEW, false);
    assert.equal(p.nft[0], `add table ${T}`);
    assert.ok(p.nft.includes(`add element ${T} fe.v4 { 10.1.0.1 }`));
    assert.ok(p.nft.includes(`add element ${T} pod-in-v4 { ${DB} : jump pod-in/${DB} }`));
    assert.ok(!p.nft.some((l) => l.startsWith('flush')), 'nothing to flush in a new table');
  });

  it('changes nothing when the state is the same', () => {
    assert.deepEqual(plan(renderPolicy(m1, pods), t1, true).nft, []);
  });

  it('adds one member with one element statement and nothing else', () => {
    const m2 = { ...m1, sets: new Map([...m1.sets, ['fe', new Set(['10.1.0.1', '10.1.0.2'])]]) };
    const p = plan(renderPolicy(m2, pods), t1, true);
    assert.deepEqual(p.nft, [`add element ${T} fe.v4 { 10.1.0.2 }`]);
    assert.deepEqual(p.conntrack, []);
  });

  it('deletes a removed member and cuts the flows it started (it was a source)', () => {
    const m2 = { ...m1, sets: new Map([...m1.sets, ['fe', new Set<string>()]]) };
    const p = plan(renderPolicy(m2, pods), t1, true);
    assert.deepEqual(p.nft, [`delete element ${T} fe.v4 { 10.1.0.1 }`]);
    assert.deepEqual(p.conntrack, ['-D -s 10.1.0.1']);
  });

  it("rewrites only a changed policy's chain and cuts the ingress flows of its pods", () => {
    const m2 = {
      ...m1,
      policies: [policy('db/a', 'other')],
      sets: new Map([...m1.sets, ['other', new Set<string>()]]),
    };
    const p = plan(renderPolicy(m2, pods), t1, true);
    assert.deepEqual(p.chainsWritten, ['policy-in/db/a']);
    assert.equal(p.nft.filter((l) => l.startsWith('flush')).join(), `flush chain ${T} policy-in/db/a`);
    assert.ok(p.nft.includes(`delete set ${T} fe.v4`));
    assert.deepEqual(p.conntrack, [`-D -d ${DB}`]);
  });

  it('adds a pod with its map elements and removes it with its chain after the elements', () => {
    const both = renderPolicy(m1, [...pods, { ips: [DB2] }]);
    const add = plan(both, t1, true);
    assert.deepEqual(add.chainsWritten, [`pod-in/${DB2}`, `pod-out/${DB2}`]);
    assert.ok(add.nft.includes(`add element ${T} pod-in-v4 { ${DB2} : jump pod-in/${DB2} }`));
    const del = plan(t1, both, true);
    const at = (l: string): number => del.nft.indexOf(l);
    assert.ok(at(`delete element ${T} pod-in-v4 { ${DB2} }`) >= 0, del.nft.join('\n'));
    assert.ok(at(`delete element ${T} pod-in-v4 { ${DB2} }`) < at(`delete chain ${T} pod-in/${DB2}`));
    assert.ok(at(`flush chain ${T} pod-in/${DB2}`) < at(`delete chain ${T} pod-in/${DB2}`));
  });

  it('deletes the chain of a policy no longer applying, after the pod chain that jumped to it', () => {
    const m2 = { ...m1, policies: [policy('db/a'), policy('db/b', 'fe', 2)] };
    const t2 = renderPolicy(m2, pods);
    const p = plan(t1, t2, true);
    assert.deepEqual(p.chainsDeleted, ['policy-in/db/b']);
    assert.ok(
      p.nft.indexOf(`flush chain ${T} pod-in/${DB}`) < p.nft.indexOf(`delete chain ${T} policy-in/db/b`),
    );
    assert.deepEqual(p.conntrack, [`-D -d ${DB}`], 'the pod left a policy: its flows are checked again');
  });

  it('repairs a listed table: a rule added by hand, an extra set, a missing member, a wrong map element', () => {
    const listed = parseTable(
      JSON.stringify({
        nftables: [
          { set: { name: 'fe.v4', type: 'ipv4_addr', elem: [] } },
          { set: { name: 'fe.v6', type: 'ipv6_addr' } },
          { set: { name: 'stray', type: 'ipv4_addr', elem: ['10.9.9.9'] } },
          { map: { name: 'pod-in-v4', type: 'ipv4_addr', map: 'verdict', elem: [[DB, { accept: null }]] } },
          ...[...t1.chains].map(([name, c]) => ({
            chain: {
              name,
              ...(c.base
                ? { type: 'filter', hook: c.base.hook, prio: c.base.priority, policy: 'accept' }
                : {}),
            },
          })),
          ...[...t1.chains].flatMap(([chain, c]) => c.ids.map((comment) => ({ rule: { chain, comment } }))),
          { rule: { chain: `pod-in/${DB}` } },
        ],
      }),
    );
    const p = plan(t1, listed, true);
    assert.deepEqual(p.chainsWritten, [`pod-in/${DB}`]);
    assert.ok(p.nft.includes(`add element ${T} fe.v4 { 10.1.0.1 }`));
    assert.ok(p.nft.includes(`delete set ${T} stray`));
    assert.ok(p.nft.includes(`delete element ${T} pod-in-v4 { ${DB} }`));
    assert.ok(p.nft.includes(`add map ${T} pod-out-v4 { type ipv4_addr : verdict; }`));
  });
});
