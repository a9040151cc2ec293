// gen-types.test.ts: the committed types of api/ are what openapi/gen-types.ts produces from the
// openapi/ schemas, so the types cannot drift from what the server serves and the CRDs validate.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadSchemas, packageRoot } from '../apiserver/openapi/schemas.js';
import { renderTypes, TYPE_FILES } from './gen-types.js';

describe('api/ types', () => {
  const root = packageRoot();
  const schemas = loadSchemas(root);
  for (const f of TYPE_FILES) {
    it(`${f.path} equals a fresh generation from openapi/`, async () => {
      const committed = readFileSync(join(root, f.path), 'utf8');
      assert.equal(
        committed,
        await renderTypes(schemas, f, root),
        `run: node --import tsx openapi/gen-types.ts`,
      );
    });
  }

  it('every served and configuration kind has a generated interface', async () => {
    const text = (await Promise.all(TYPE_FILES.map((f) => renderTypes(schemas, f, root)))).join('\n');
    for (const kind of [
      'FederatedEndpoint',
      'FederatedHostEndpoint',
      'FederatedService',
      'SelectorReview',
      'RemoteClusterConfiguration',
      'MeshNetworkPolicy',
      'MeshConfiguration',
    ])
      assert.match(text, new RegExp(`export interface ${kind} \\{`), kind);
  });
});
