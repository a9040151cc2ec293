// archive.test.ts: image archives are docker-save tars whose config names the layer's digest,
// reproducible byte for byte, and bad input gets a clear error.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validateImageRef, writeImageArchive } from './archive.js';

let dir: string;
let rootfs: string;
const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

describe('writeImageArchive', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'fedmesh-archive-'));
    rootfs = join(dir, 'rootfs');
    mkdirSync(join(rootfs, 'bin'), { recursive: true });
    writeFileSync(join(rootfs, 'bin/hello'), '#!/bin/sh\necho hello\n', { mode: 0o755 });
    symlinkSync('hello', join(rootfs, 'bin/hi'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes manifest.json, a config naming the layer digest, and the layer', async () => {
    const out = join(dir, 'a.tar');
    const img = await writeImageArchive(
      {
        ref: 'localhost/hello:1',
        rootfs,
        config: { entrypoint: ['/bin/hello'], user: '65534', env: ['A=b'] },
      },
      out,
    );
    const x = join(dir, 'x');
    mkdirSync(x);
    execFileSync('tar', ['-xf', out, '-C', x]);
    const manifest = JSON.parse(readFileSync(join(x, 'manifest.json'), 'utf8')) as {
      Config: string;
      RepoTags: string[];
      Layers: string[];
    }[];
    assert.deepEqual(manifest, [
      {
        Config: `${img.configDigest}.json`,
        RepoTags: ['localhost/hello:1'],
        Layers: [`${img.layerDigest}/layer.tar`],
      },
    ]);
    const configText = readFileSync(join(x, `${img.configDigest}.json`));
    assert.equal(sha(configText), img.configDigest);
    const config = JSON.parse(configText.toString()) as {
      config: { Entrypoint: string[]; User: string; Env: string[] };
      rootfs: { diff_ids: string[] };
      os: string;
    };
    assert.deepEqual(config.config.Entrypoint, ['/bin/hello']);
    assert.equal(config.config.User, '65534');
    assert.deepEqual(config.config.Env, ['A=b']);
    assert.equal(config.os, 'linux');
    const layer = readFileSync(join(x, img.layerDigest, 'layer.tar'));
    assert.deepEqual(config.rootfs.diff_ids, [`sha256:${sha(layer)}`]);
    const listing = execFileSync('tar', ['-tvf', join(x, img.layerDigest, 'layer.tar')], {
      encoding: 'utf8',
    });
    assert.match(listing, /^-rwxr-xr-x 0\/0 .* bin\/hello$/m);
    assert.match(listing, /^lrwxrwxrwx 0\/0 .* bin\/hi -> hello$/m);
  });

  it('gives the same bytes for the same content', async () => {
    const a = await writeImageArchive({ ref: 'localhost/hello:1', rootfs }, join(dir, 'r1.tar'));
    await new Promise((r) => setTimeout(r, 1100)); // a later mtime must not matter
    const b = await writeImageArchive({ ref: 'localhost/hello:1', rootfs }, join(dir, 'r2.tar'));
    assert.equal(a.configDigest, b.configDigest);
    assert.equal(sha(readFileSync(a.path)), sha(readFileSync(b.path)));
  });

  const bad: [string, string, () => Promise<unknown>, RegExp][] = [
    [
      'a reference without a tag',
      'ref',
      () => writeImageArchive({ ref: 'localhost/hello', rootfs }, join(dir, 'b.tar')),
      /must be NAME:TAG/,
    ],
    [
      'an upper-case name',
      'ref',
      () => writeImageArchive({ ref: 'Hello:1', rootfs }, join(dir, 'b.tar')),
      /lower-case/,
    ],
    [
      'a missing folder',
      'rootfs',
      () => writeImageArchive({ ref: 'x:1', rootfs: join(dir, 'nope') }, join(dir, 'b.tar')),
      /is not a folder/,
    ],
  ];
  for (const [name, , fn, want] of bad) it(`rejects ${name}`, () => assert.rejects(fn, want));

  it('accepts registry references with ports and paths', () => {
    for (const ref of ['localhost:5000/a/b:v1.2', 'registry.example/fedmesh/agent:0.1.0', 'x:1'])
      assert.doesNotThrow(() => validateImageRef(ref), ref);
  });
});
