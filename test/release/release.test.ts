// release.test.ts: the release artifacts work as a user gets them. `npm pack` makes a package that
// `npm install -g` turns into kubectl-mesh, its completion and fedmesh-apiserver on PATH, with the
// manifests; scripts/release-krew.mjs makes the krew archive and a manifest carrying its sha256,
// and the archive, laid out as krew installs it, runs `kubectl mesh`. Needs a built checkout.
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { packageRoot } from '../harness/root.js';

const run = promisify(execFile);
const root = packageRoot();
const dir = mkdtempSync(join(tmpdir(), 'fedmesh-release-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** onPath runs a command with binDir first on PATH; it never throws on a non-zero exit. */
async function onPath(binDir: string, cmd: string, args: string[]): Promise<{ code: number; out: string }> {
  const env = { ...process.env, PATH: `${binDir}:${process.env.PATH ?? ''}`, KUBECONFIG: '/dev/null' };
  try {
    const { stdout, stderr } = await run(cmd, args, { env, maxBuffer: 16 << 20 });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: Number(e.code ?? 1), out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** assertPlugin checks that kubectl finds kubectl-mesh in binDir without warnings and that it works offline. */
async function assertPlugin(binDir: string): Promise<void> {
  const list = await onPath(binDir, 'kubectl', ['plugin', 'list']);
  assert.equal(list.code, 0, list.out);
  assert.match(list.out, new RegExp(`^${binDir}/kubectl-mesh$`, 'm'));
  assert.doesNotMatch(list.out, /warning/i);
  const plan = await onPath(binDir, 'kubectl', ['mesh', 'install', '--dry-run=client', '-o', 'yaml']);
  assert.equal(plan.code, 0, plan.out);
  assert.match(plan.out, /kind: Deployment/);
  assert.match(plan.out, /image: ghcr\.io\/fedmesh\/fedmesh:v\d+\.\d+\.\d+/);
  const sel = await onPath(binDir, 'kubectl', ['mesh', 'selector', 'canonical', "app == 'db'"]);
  assert.equal(sel.code, 0, sel.out);
}

describe('release artifacts', () => {
  it('npm pack makes a package that npm install -g puts on PATH: kubectl-mesh, completion, fedmesh-apiserver', async () => {
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, '--silent'], {
      cwd: root,
    });
    const tgz = join(dir, stdout.trim().split('\n').pop()!);
    const prefix = join(dir, 'global');
    await run(
      'npm',
      ['install', '-g', '--prefix', prefix, tgz, '--prefer-offline', '--no-audit', '--no-fund'],
      {
        cwd: dir,
      },
    );
    const bin = join(prefix, 'bin');
    await assertPlugin(bin);
    const completion = await onPath(bin, 'kubectl_complete-mesh', ['']);
    assert.match(completion.out, /^install$/m);
    const server = await onPath(bin, 'fedmesh-apiserver', ['--help']);
    assert.equal(server.code, 0, server.out);
    assert.match(server.out, /^Usage: fedmesh-apiserver/m);
  });

  it('release-krew.mjs writes the archive and a krew manifest with its sha256; the archive runs as krew lays it out', async () => {
    const out = join(dir, 'krew');
    await run(process.execPath, [join(root, 'scripts/release-krew.mjs'), out]);
    const manifest = parse(readFileSync(join(out, 'mesh.yaml'), 'utf8')) as {
      spec: {
        platforms: { uri: string; sha256: string; files: { from: string; to: string }[]; bin: string }[];
      };
    };
    const [platform] = manifest.spec.platforms;
    const archive = join(out, platform!.uri.split('/').pop()!);
    assert.equal(platform!.sha256, createHash('sha256').update(readFileSync(archive)).digest('hex'));
    // krew: unpack, move each `from` to `to` in the plugin folder, link `bin` onto PATH.
    const unpacked = join(dir, 'unpacked');
    const pluginDir = join(dir, 'krew-root/store/mesh/v0');
    mkdirSync(unpacked, { recursive: true });
    mkdirSync(pluginDir, { recursive: true });
    execFileSync('tar', ['-xzf', archive, '-C', unpacked]);
    assert.deepEqual(platform!.files, [{ from: 'kubectl-mesh/*', to: '.' }]);
    execFileSync('sh', ['-c', `mv ${unpacked}/kubectl-mesh/* ${pluginDir}/`]);
    assert.match(readFileSync(join(pluginDir, 'LICENSE'), 'utf8'), /Apache License/);
    const bin = join(dir, 'krew-root/bin');
    mkdirSync(bin);
    symlinkSync(join(pluginDir, platform!.bin), join(bin, 'kubectl-mesh'));
    await assertPlugin(bin);
  });

  it('no committed file carries a placeholder sha256', () => {
    const r = spawnSync('git', ['grep', '-l', '-E', `sha256:? *'?0{64}`], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 1, `placeholder sha256 in: ${r.stdout}`); // git grep: 1 is "no match"
    assert.equal(r.stdout, '');
  });
});
