// selectors.test.ts: Kubernetes label and field selectors as kubectl sends them: what they become
// (Calico selectors for the core, field requirements) and the 400 messages for what is not valid.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../status.js';
import { labelSelectorToCalico, parseFieldSelector } from './selectors.js';

const message = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof StatusError, `a Status error, got ${String(e)}`);
    assert.equal(e.code, 400);
    return e.message;
  }
  assert.fail('expected a 400');
};

describe('label selectors', () => {
  const good: [string, string][] = [
    ['', 'all()'],
    ['app=web', 'app == "web"'],
    ['app==web,tier!=db', 'app == "web" && tier != "db"'],
    ['a=', 'a == ""'],
    ['env in (prod, staging)', 'env in {"prod", "staging"}'],
    ['env notin (dev)', 'env not in {"dev"}'],
    ['team', 'has(team)'],
    ['!legacy', '!has(legacy)'],
    ['federated.mesh/cluster=east', 'federated.mesh/cluster == "east"'],
  ];
  for (const [input, want] of good)
    it(`translates ${JSON.stringify(input)}`, () => assert.equal(labelSelectorToCalico(input), want));

  const bad: [string, RegExp][] = [
    ['app>1', /operator ">" is not supported/],
    ['env in ()', /values set can't be empty/],
    ['env in (a', /expected: ',' or '\)'/],
    ['=x', /expected: identifier/],
    ['app=a b', /.+/],
  ];
  for (const [input, want] of bad)
    it(`refuses ${JSON.stringify(input)}`, () =>
      assert.match(
        message(() => labelSelectorToCalico(input)),
        want,
      ));
});

describe('field selectors', () => {
  const allowed = ['metadata.name', 'spec.cluster'];
  it('parses =, == and != terms', () =>
    assert.deepEqual(parseFieldSelector('spec.cluster=east, metadata.name!=x', allowed), [
      { field: 'spec.cluster', op: '=', value: 'east' },
      { field: 'metadata.name', op: '!=', value: 'x' },
    ]));
  it('names the fields it knows when one is unknown', () =>
    assert.match(
      message(() => parseFieldSelector('spec.node=a', allowed)),
      /"spec.node" is not a known field selector: only "metadata.name", "spec.cluster"/,
    ));
  it('refuses a term without an operator', () =>
    assert.match(
      message(() => parseFieldSelector('spec.cluster', allowed)),
      /can't understand 'spec.cluster'/,
    ));
});
