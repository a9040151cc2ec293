// names.test.ts: derived names and UIDs stay the same across releases (clients keep them).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { derivedUID, federatedName } from './names.js';

describe('derived names', () => {
  it('derives the same UUID-shaped UID for a cluster and source UID as every earlier release', () => {
    const uid = derivedUID('west', '3f1c2a9e-0000-4000-8000-000000000001');
    assert.equal(uid, '422b4824-de67-546a-a179-067e6d913bf8');
    assert.notEqual(derivedUID('east', '3f1c2a9e-0000-4000-8000-000000000001'), uid);
  });

  it('names a federated object <cluster>.<name>', () => {
    assert.equal(federatedName('west', 'web-0'), 'west.web-0');
  });
});
