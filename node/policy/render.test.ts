// render.test.ts: the desired policy table as a pure function of the compiled model and the local
// pods: which chains and map elements exist, the order of policies, and each kind of rule as nft.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompiledPolicy, CompiledRule, PolicyModel } from '../../api/policy.js';
import { PolicyRenderer, renderPolicy } from './render.js';
import { renderRule } from './rules.js';

const ctx = { policy: 'db/allow-frontend', dir: 'in' as const };
const rule = (r: Partial<CompiledRule>): CompiledRule => ({ index: 0, action: 'Allow', ...r });
const model = (policies: CompiledPolicy[], sets: Record<string, string[]>): PolicyModel => ({
  policies,
  sets: new Map(Object.entries(sets).map(([k, v]) => [k, new Set(v)])),
});
const DB = '10.244.1.10';
const DB6 = 'fd00:10:244:1::10';
const OTHER = '10.244.1.11';

describe('renderRule: one compiled rule as nft rules', () => {
  const cases: [string, CompiledRule, string[]][] = [
    [
      'IP set and a port: one rule per family',
      rule({ protocol: 'TCP', source: { set: 'fe' }, destination: { ports: [{ first: 5432, last: 5432 }] } }),
      ['ip saddr @fe.v4 tcp dport 5432 counter accept', 'ip6 saddr @fe.v6 tcp dport 5432 counter accept'],
    ],
    [
      'nets of one family only give a rule of that family',
      rule({ action: 'Deny', destination: { nets: ['192.168.0.0/16', '10.0.0.0/8'] } }),
      ['ip daddr { 192.168.0.0/16, 10.0.0.0/8 } counter drop'],
    ],
    [
      'a set and nets on one side must both match',
      rule({ source: { set: 'fe', nets: ['fd00::/8'] } }),
      ['ip6 saddr @fe.v6 ip6 saddr fd00::/8 counter accept'],
    ],
    [
      'port ranges and source ports',
      rule({
        protocol: 'UDP',
        source: { ports: [{ first: 53, last: 53 }] },
        destination: {
          ports: [
            { first: 8000, last: 8080 },
            { first: 9000, last: 9000 },
          ],
        },
      }),
      ['udp sport 53 udp dport { 8000-8080, 9000 } counter accept'],
    ],
    [
      'no addresses: one rule for both families',
      rule({ protocol: 'SCTP' }),
      ['meta l4proto sctp counter accept'],
    ],
    [
      'ICMP covers ICMPv6 without addresses',
      rule({ protocol: 'ICMP' }),
      ['meta l4proto { icmp, ipv6-icmp } counter accept'],
    ],
    [
      'ports without a protocol match any transport',
      rule({ destination: { ports: [{ first: 80, last: 80 }] } }),
      ['meta l4proto { tcp, udp, sctp } th dport 80 counter accept'],
    ],
    ['Pass returns to the next policy', rule({ action: 'Pass' }), ['counter return']],
    [
      'Log logs with the policy and rule, and goes on',
      rule({ action: 'Log', index: 3 }),
      ['counter log prefix "fedmesh db/allow-frontend ingress[3]: "'],
    ],
    [
      'ports with ICMP are malformed: fail closed',
      rule({ protocol: 'ICMP', destination: { ports: [{ first: 1, last: 1 }] } }),
      ['counter drop'],
    ],
  ];
  for (const [name, r, want] of cases) it(name, () => assert.deepEqual(renderRule(r, ctx), want));
});

describe('renderPolicy: chains, maps and sets for the local pods', () => {
  const allow = (key: string, order?: number, extra: Partial<CompiledPolicy> = {}): CompiledPolicy => ({
    key,
    ...(order === undefined ? {} : { order }),
    appliesTo: 'db',
    ingress: [rule({ source: { set: 'fe' } })],
    ...extra,
  });

  it('leaves a pod selected by no policy out of every map', () => {
    const t = renderPolicy(model([allow('db/a')], { db: [DB], fe: [] }), [{ ips: [DB] }, { ips: [OTHER] }]);
    assert.deepEqual([...t.maps.get('pod-in-v4')!], [[DB, `pod-in/${DB}`]]);
    assert.ok(!t.chains.has(`pod-in/${OTHER}`) && !t.chains.has(`pod-out/${OTHER}`));
    // No egress policy: no default deny, only no TCP flow picked up mid-stream from its side.
    assert.deepEqual(
      t.chains.get(`pod-out/${DB}`)!.rules.map((r) => r.replace(/ comment .*/, '')),
      [
        'ct state invalid counter drop',
        'ct state new tcp flags & (fin | syn | rst | ack) != syn counter drop',
      ],
    );
  });

  it('jumps to the policies of a pod in comparePolicies order and ends with the default deny', () => {
    const ps = [allow('db/z'), allow('db/b', 20), allow('db/a', 20), allow('db/first', 1)];
    const t = renderPolicy(model(ps, { db: [DB], fe: [] }), [{ ips: [DB] }]);
    const c = t.chains.get(`pod-in/${DB}`)!;
    assert.deepEqual(c.jumps, ['policy-in/db/first', 'policy-in/db/a', 'policy-in/db/b', 'policy-in/db/z']);
    assert.match(c.rules[0]!, /^ct state invalid counter drop/);
    assert.match(c.rules.at(-1)!, /^counter drop comment "default-deny /);
  });

  it('gives a dual-stack pod one chain per direction, reached from both families', () => {
    const t = renderPolicy(model([allow('db/a', 1, { egress: [] })], { db: [DB6], fe: [] }), [
      { ips: [DB6, DB] },
    ]);
    assert.equal(t.maps.get('pod-in-v4')!.get(DB), `pod-in/${DB}`);
    assert.equal(t.maps.get('pod-in-v6')!.get(DB6), `pod-in/${DB}`);
    assert.equal(t.maps.get('pod-out-v6')!.get(DB6), `pod-out/${DB}`);
    assert.deepEqual(t.chains.get('policy-out/db/a')!.rules, [], 'no egress rule: default deny');
  });

  it('renders only the IP sets the rules of local policies name, in both families', () => {
    const other: CompiledPolicy = {
      ...allow('web/x'),
      appliesTo: 'web',
      ingress: [rule({ source: { set: 'y' } })],
    };
    const t = renderPolicy(model([allow('db/a'), other], { db: [DB], fe: ['10.1.0.1', 'fd00::1'], y: [] }), [
      { ips: [DB] },
    ]);
    assert.deepEqual([...t.sets.keys()], ['fe.v4', 'fe.v6']);
    assert.deepEqual(t.sets.get('fe.v6'), {
      family: 6,
      members: new Set(['10.1.0.1', 'fd00::1']),
      cut: ['-s'],
    });
    assert.ok(!t.chains.has('policy-in/web/x'), 'a policy of no local pod is not rendered');
  });

  it('gives every rule an identity comment that changes with the rule', () => {
    const a = renderPolicy(model([allow('db/a')], { db: [DB] }), [{ ips: [DB] }]);
    const b = renderPolicy(
      model([allow('db/a', undefined, { ingress: [rule({ action: 'Deny' })] })], { db: [DB] }),
      [{ ips: [DB] }],
    );
    const [ca, cb] = [a.chains.get('policy-in/db/a')!, b.chains.get('policy-in/db/a')!];
    assert.match(ca.rules[0]!, / comment "ingress\[0\] [0-9a-f]{12}"$/);
    assert.notDeepEqual(ca.ids, cb.ids);
    assert.deepEqual(a.chains.get(`pod-in/${DB}`)!.ids, b.chains.get(`pod-in/${DB}`)!.ids);
  });

  it('reuses the chains of unchanged policies and pods, so a member change plans only elements', () => {
    const r = new PolicyRenderer();
    const m = model([allow('db/a'), allow('db/b', 2)], { db: [DB], fe: ['10.1.0.1'] });
    const a = r.render(m, [{ ips: [DB] }]);
    const b = r.render({ ...m, sets: new Map([...m.sets, ['fe', new Set(['10.1.0.1', '10.1.0.2'])]]) }, [
      { ips: [DB] },
    ]);
    for (const [name, c] of a.chains) assert.equal(b.chains.get(name), c, name);
    const left = r.render({ ...m, sets: new Map([...m.sets, ['db', new Set<string>()]]) }, [{ ips: [DB] }]);
    assert.ok(!left.chains.has(`pod-in/${DB}`), 'a pod that left the policies loses its chain');
    const back = r.render(m, [{ ips: [DB] }, { ips: [OTHER] }]);
    assert.deepEqual([...back.maps.get('pod-in-v4')!.keys()], [DB], 'a new pod is dispatched too');
  });

  it('names chains of policies whose key nft would not take by a digest', () => {
    const t = renderPolicy(model([allow(`ns/${'x'.repeat(250)}`)], { db: [DB] }), [{ ips: [DB] }]);
    assert.deepEqual(t.chains.get(`pod-in/${DB}`)!.jumps, [
      [...t.chains.keys()].find((k) => /^policy-in\/h[0-9a-f]{12}$/.test(k)),
    ]);
  });
});
