// compile.test.ts: MeshNetworkPolicies become compiled policies with explicitly scoped IP sets.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { IPSetSpec, MeshNetworkPolicy, MeshNetworkPolicySpec } from '../../api/index.js';
import { Core } from '../index.js';
import { compilePolicy, parsePort } from './compile.js';

const core = Core.load();

const mnp = (spec: MeshNetworkPolicySpec, ns = 'shop', name = 'p'): MeshNetworkPolicy => ({
  apiVersion: 'config.federated.mesh/v1alpha1',
  kind: 'MeshNetworkPolicy',
  metadata: { name, namespace: ns },
  spec,
});

function compiled(spec: MeshNetworkPolicySpec, ns?: string) {
  const r = compilePolicy(core, mnp(spec, ns), 'east');
  if ('problems' in r) assert.fail(JSON.stringify(r.problems));
  const selector = (name: string | undefined): string =>
    r.sets.find((s: IPSetSpec) => s.name === name)!.selector;
  return { ...r, selector };
}

describe('compilePolicy', () => {
  it('scopes the policy selector to local workloads of its namespace', () => {
    const { policy, selector } = compiled({ selector: "app == 'db'" });
    assert.equal(policy.key, 'shop/p');
    assert.equal(
      selector(policy.appliesTo),
      '(app == "db" && federated.mesh/namespace == "shop" && federated.mesh/cluster == "east")',
    );
    assert.match(policy.appliesTo, /^fips-[0-9a-f]{30}$/);
  });

  it('scopes a rule selector to the same-named namespace in every cluster', () => {
    const { policy, selector } = compiled({
      selector: 'all()',
      ingress: [{ action: 'Allow', source: { selector: "app == 'frontend'" } }],
    });
    assert.equal(
      selector(policy.ingress![0]!.source!.set),
      '(app == "frontend" && federated.mesh/namespace == "shop")',
    );
  });

  it('turns namespaceSelector into a selector over the pcns. labels of workloads', () => {
    const { policy, selector } = compiled({
      selector: 'all()',
      ingress: [{ action: 'Allow', source: { selector: "app == 'x'", namespaceSelector: "team == 'web'" } }],
    });
    assert.equal(
      selector(policy.ingress![0]!.source!.set),
      '(app == "x" && has(federated.mesh/namespace) && pcns.team == "web")',
    );
  });

  it('selects host endpoints with namespaceSelector global()', () => {
    const { policy, selector } = compiled({
      selector: 'all()',
      ingress: [
        {
          action: 'Allow',
          source: { selector: "federated.mesh/cluster == 'west'", namespaceSelector: 'global()' },
        },
      ],
    });
    assert.equal(
      selector(policy.ingress![0]!.source!.set),
      '(federated.mesh/cluster == "west" && !has(federated.mesh/namespace))',
    );
  });

  it('gives equivalent selectors one set, whatever their spelling', () => {
    const { policy, sets } = compiled({
      selector: 'all()',
      ingress: [
        { action: 'Allow', source: { selector: "app=='a'&&tier in {'y','x'}" } },
        { action: 'Deny', source: { selector: '(app == "a") && tier in {"x", "y", "x"}' } },
      ],
    });
    assert.equal(policy.ingress![0]!.source!.set, policy.ingress![1]!.source!.set);
    assert.equal(sets.length, 2); // appliesTo and the shared rule set
  });

  it('applies to Ingress by default and to Egress too when egress rules are given', () => {
    assert.deepEqual(compiled({ selector: 'all()' }).policy.ingress, []);
    assert.equal(compiled({ selector: 'all()' }).policy.egress, undefined);
    const both = compiled({ selector: 'all()', egress: [{ action: 'Allow' }] }).policy;
    assert.deepEqual(both.ingress, []);
    assert.equal(both.egress!.length, 1);
    const onlyEgress = compiled({ selector: 'all()', types: ['Egress'] }).policy;
    assert.equal(onlyEgress.ingress, undefined);
    assert.deepEqual(onlyEgress.egress, []);
  });

  it('keeps order, action, protocol, canonical nets and port ranges', () => {
    const { policy } = compiled({
      selector: 'all()',
      order: 10,
      ingress: [
        {
          action: 'Deny',
          protocol: 'TCP',
          destination: { ports: [5432, '8000:8080'], nets: ['10.1.2.3/16', 'FD00::1/64'] },
        },
      ],
    });
    assert.equal(policy.order, 10);
    assert.deepEqual(policy.ingress![0], {
      index: 0,
      action: 'Deny',
      protocol: 'TCP',
      destination: {
        nets: ['10.1.0.0/16', 'fd00::/64'],
        ports: [
          { first: 5432, last: 5432 },
          { first: 8000, last: 8080 },
        ],
      },
    });
  });

  it('reports every problem with its field and compiles nothing', () => {
    const r = compilePolicy(
      core,
      mnp({
        selector: "app == 'db",
        ingress: [
          { action: 'Allow', source: { selector: 'has(' } },
          { action: 'Allow', protocol: 'ICMP', destination: { ports: [80] } },
          {
            action: 'Allow',
            protocol: 'TCP',
            destination: { ports: ['postgres', 0], nets: ['10.0.0.0/33'] },
          },
          { action: 'Allow', source: { namespaceSelector: 'team ==' } },
        ],
      }),
      'east',
    );
    assert.ok('problems' in r);
    assert.deepEqual(
      r.problems.map((p) => p.field),
      [
        'spec.selector',
        'spec.ingress[0].source.selector',
        'spec.ingress[1].destination.ports',
        'spec.ingress[2].destination.nets[0]',
        'spec.ingress[2].destination.ports[0]',
        'spec.ingress[2].destination.ports[1]',
        'spec.ingress[3].source.namespaceSelector',
      ],
    );
    assert.match(r.problems[0]!.message, /^invalid selector: /);
    assert.match(r.problems[4]!.message, /named port "postgres" is not supported yet/);
  });
});

describe('parsePort', () => {
  it('reads numbers, numeric strings and ranges', () => {
    assert.deepEqual(parsePort(80), { first: 80, last: 80 });
    assert.deepEqual(parsePort('443'), { first: 443, last: 443 });
    assert.deepEqual(parsePort('1:65535'), { first: 1, last: 65535 });
  });
  it('refuses ports out of range and reversed ranges', () => {
    assert.match(parsePort(70000) as string, /not in 1-65535/);
    assert.match(parsePort('90:80') as string, /ends before it starts/);
    assert.match(parsePort('0:10') as string, /not within 1-65535/);
  });
});
