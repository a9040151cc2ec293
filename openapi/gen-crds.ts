// gen-crds.ts: writes manifests/crds/*.yaml from the openapi/ schemas.
// Run after changing openapi/config.federated.mesh.v1alpha1.yaml: node --import tsx openapi/gen-crds.ts
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCRDs } from '../apiserver/openapi/crds.js';
import { loadSchemas, packageRoot } from '../apiserver/openapi/schemas.js';

const root = packageRoot();
const dir = join(root, 'manifests', 'crds');
mkdirSync(dir, { recursive: true });
for (const [file, text] of await renderCRDs(loadSchemas(root), root)) {
  writeFileSync(join(dir, file), text);
  console.log(`wrote manifests/crds/${file}`);
}
