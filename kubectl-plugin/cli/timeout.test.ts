// timeout.test.ts: --request-timeout bounds API requests: a server that never answers makes the
// command fail with a clear message instead of hanging.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { run } from '../main.js';

test('--request-timeout ends a request to a server that never answers', async () => {
  const sockets: Socket[] = [];
  const silent = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'fedmesh-timeout-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
`,
  );
  let err = '';
  const io = {
    stdout: () => undefined,
    stderr: (s: string) => void (err += s),
    stdin: async function* () {},
    readFile: async function* () {},
  };
  try {
    const t = Date.now();
    const code = await run(['status', '--kubeconfig', kubeconfig, '--request-timeout', '300ms'], io);
    assert.equal(code, 1);
    assert.ok(Date.now() - t < 10_000, 'the command returned promptly');
    assert.match(err, /timed out/);
  } finally {
    sockets.forEach((s) => s.destroy());
    silent.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
