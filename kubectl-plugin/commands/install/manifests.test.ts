// manifests.test.ts: install renders the kustomize base as `kubectl kustomize` does, the image set
// once in kustomization.yaml included, and --image replaces that image.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { kubectlOk } from '../../../test/harness/kubectl.js';
import { imageName, manifestsDir, readBase } from './manifests.js';

const key = (o: { kind?: string; metadata?: { name?: string; namespace?: string } }): string =>
  `${o.kind ?? ''}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

describe('the kustomize base as install renders it', () => {
  it('equals kubectl kustomize manifests, object for object', async () => {
    const out = await kubectlOk('/dev/null', ['kustomize', manifestsDir()]);
    const want = new Map(
      parseAllDocuments(out).map((d) => {
        const o = d.toJS() as Parameters<typeof key>[0];
        return [key(o), o];
      }),
    );
    const got = readBase().map((m) => m.obj);
    assert.deepEqual(got.map(key).sort(), [...want.keys()].sort());
    for (const o of got) assert.deepEqual(o, want.get(key(o)), key(o));
  });

  it('runs the release image from kustomization.yaml, or the --image reference', () => {
    const images = (image?: string): string[] =>
      readBase(undefined, image)
        .filter((m) => m.obj.kind === 'Deployment')
        .flatMap((m) =>
          (
            m.obj as { spec: { template: { spec: { containers: { image: string }[] } } } }
          ).spec.template.spec.containers.map((c) => c.image),
        );
    assert.deepEqual(images(), ['ghcr.io/fedmesh/fedmesh:v0.1.0']);
    assert.deepEqual(images('localhost/fedmesh:dev'), ['localhost/fedmesh:dev']);
  });

  const cases: [string, string][] = [
    ['fedmesh', 'fedmesh'],
    ['ghcr.io/fedmesh/fedmesh:v0.1.0', 'ghcr.io/fedmesh/fedmesh'],
    ['localhost:5000/fedmesh', 'localhost:5000/fedmesh'],
    ['localhost:5000/fedmesh:v1@sha256:abc', 'localhost:5000/fedmesh'],
  ];
  for (const [ref, name] of cases)
    it(`imageName(${ref}) is ${name}`, () => assert.equal(imageName(ref), name));
});
