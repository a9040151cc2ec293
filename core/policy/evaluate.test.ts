// evaluate.test.ts: the reference decision for a packet under a compiled policy model.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CompiledPolicy, PolicyModel } from '../../api/index.js';
import { comparePolicies } from '../../api/index.js';
import { evaluate, type Packet } from './evaluate.js';

const DB = '10.244.2.10';
const FRONTEND = '10.244.1.10';
const OTHER = '10.244.1.11';

function model(policies: CompiledPolicy[], sets: Record<string, string[]>): PolicyModel {
  return {
    policies: [...policies].sort(comparePolicies),
    sets: new Map(Object.entries(sets).map(([k, v]) => [k, new Set(v)])),
  };
}

const sets = { db: [DB, 'fd00::a'], frontend: [FRONTEND, 'fd00::1'] };
const tcp = (source: string, destination: string, destinationPort = 5432): Packet => ({
  source,
  destination,
  protocol: 'TCP',
  sourcePort: 40000,
  destinationPort,
});
const allowFrontends: CompiledPolicy = {
  key: 'shop/allow',
  appliesTo: 'db',
  ingress: [
    {
      index: 0,
      action: 'Allow',
      protocol: 'TCP',
      source: { set: 'frontend' },
      destination: { ports: [{ first: 5432, last: 5432 }] },
    },
  ],
};

describe('evaluate', () => {
  it('allows everything for an endpoint no policy selects', () => {
    const v = evaluate(model([allowFrontends], sets), 'ingress', OTHER, tcp(DB, OTHER));
    assert.deepEqual(v, { allowed: true, reason: 'no-policy', applied: [], logged: [], passed: [] });
  });

  it('allows a member of the source set on the port and denies the rest by default', () => {
    const m = model([allowFrontends], sets);
    const ok = evaluate(m, 'ingress', DB, tcp(FRONTEND, DB));
    assert.equal(ok.allowed, true);
    assert.deepEqual(ok.decidedBy, { policy: 'shop/allow', direction: 'ingress', rule: 0, action: 'Allow' });
    assert.equal(evaluate(m, 'ingress', DB, tcp(OTHER, DB)).reason, 'default-deny');
    assert.equal(evaluate(m, 'ingress', DB, tcp(FRONTEND, DB, 5433)).allowed, false);
    assert.equal(evaluate(m, 'ingress', DB, { ...tcp(FRONTEND, DB), protocol: 'UDP' }).allowed, false);
    assert.equal(evaluate(m, 'ingress', 'fd00::a', tcp('fd00:0::1', 'fd00::a')).allowed, true);
  });

  it('a policy without the direction does not apply to it', () => {
    const m = model([allowFrontends], sets);
    assert.equal(evaluate(m, 'egress', DB, tcp(DB, OTHER)).reason, 'no-policy');
  });

  it('applies a lower order first, so Deny before Allow wins', () => {
    const deny: CompiledPolicy = {
      key: 'shop/deny',
      order: 1,
      appliesTo: 'db',
      ingress: [{ index: 0, action: 'Deny', source: { nets: ['10.244.1.0/24'] } }],
    };
    const v = evaluate(
      model([{ ...allowFrontends, order: 2 }, deny], sets),
      'ingress',
      DB,
      tcp(FRONTEND, DB),
    );
    assert.equal(v.allowed, false);
    assert.deepEqual(v.applied, ['shop/deny', 'shop/allow']);
    assert.equal(v.decidedBy?.policy, 'shop/deny');
  });

  it('Log goes on to the next rule; Pass leaves the policy for the next one', () => {
    const logThenPass: CompiledPolicy = {
      key: 'shop/a',
      order: 1,
      appliesTo: 'db',
      ingress: [
        { index: 0, action: 'Log' },
        { index: 1, action: 'Pass', source: { set: 'frontend' } },
        { index: 2, action: 'Deny' },
      ],
    };
    const m = model([logThenPass, { ...allowFrontends, order: 2 }], sets);
    const v = evaluate(m, 'ingress', DB, tcp(FRONTEND, DB));
    assert.equal(v.allowed, true);
    assert.deepEqual(v.logged, [{ policy: 'shop/a', direction: 'ingress', rule: 0 }]);
    assert.deepEqual(v.passed, ['shop/a']);
    assert.deepEqual(v.decidedBy?.policy, 'shop/allow');
    const other = evaluate(m, 'ingress', DB, tcp(OTHER, DB));
    assert.deepEqual(other.decidedBy, { policy: 'shop/a', direction: 'ingress', rule: 2, action: 'Deny' });
  });

  it('a policy with no rules in a direction denies that direction', () => {
    const isolate: CompiledPolicy = { key: 'shop/iso', appliesTo: 'frontend', egress: [] };
    const v = evaluate(model([isolate], sets), 'egress', FRONTEND, tcp(FRONTEND, DB));
    assert.deepEqual([v.allowed, v.reason], [false, 'default-deny']);
  });

  it('matches source ports, and refuses an address that is not one', () => {
    const p: CompiledPolicy = {
      key: 'x/p',
      appliesTo: 'db',
      ingress: [
        { index: 0, action: 'Allow', protocol: 'TCP', source: { ports: [{ first: 40000, last: 40010 }] } },
      ],
    };
    assert.equal(evaluate(model([p], sets), 'ingress', DB, tcp(OTHER, DB)).allowed, true);
    assert.throws(
      () => evaluate(model([p], sets), 'ingress', DB, tcp('nope', DB)),
      /not an IP address: nope/,
    );
  });
});
