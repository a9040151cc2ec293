// build.test.ts: a preparation step relays its progress, says what failed, reports silent work,
// and stops whole (children and grandchildren) when the demo is stopped.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { groupAlive, runStep, StoppedError, type Step } from './build.js';

const dir = mkdtempSync(join(tmpdir(), 'fedmesh-demo-build-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): Step {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return { what: `running ${name}`, script: path };
}

// isRunning is true for a live process (a zombie waiting for its reaper has stopped running).
function isRunning(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

const never = new Promise<void>(() => undefined);

describe('demo preparation steps', () => {
  it('relays progress lines and returns what the step prints on stdout', async () => {
    const lines: string[] = [];
    const out = await runStep(script('ok.sh', 'echo "build.sh: 100 packages compiled" >&2\necho /bin/dir'), {
      log: (l) => lines.push(l),
      started: () => undefined,
      stop: never,
    });
    assert.equal(out, '/bin/dir');
    assert.ok(lines.includes('build.sh: 100 packages compiled'), lines.join('\n'));
    assert.match(lines.at(-1)!, /^running ok\.sh: done in \d+s$/);
  });

  it('a failing step says which step failed and how it exited', async () => {
    await assert.rejects(
      runStep(script('fail.sh', 'echo "go: cannot find module" >&2; exit 3'), {
        log: () => undefined,
        started: () => undefined,
        stop: never,
      }),
      /running fail\.sh failed \(.*fail\.sh exited 3\)/,
    );
  });

  it('a step that works silently is reported by a heartbeat', async () => {
    const lines: string[] = [];
    await runStep(script('busy.sh', 'end=$(($(date +%s) + 2)); while [ $(date +%s) -lt $end ]; do :; done'), {
      log: (l) => lines.push(l),
      started: () => undefined,
      stop: never,
      heartbeatMs: 500,
    });
    assert.ok(
      lines.some((l) => /^running busy\.sh: \d+s so far, \d+ CPU-s since last$/.test(l)),
      lines.join('\n'),
    );
  });

  it('stopping the demo stops the step and everything it started', async () => {
    let pgid = 0;
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const pids = join(dir, 'pids');
    const step = script(
      'tree.sh',
      `sh -c 'sleep 300 & echo $! >> ${pids}; wait' &\necho $! >> ${pids}\nsleep 300`,
    );
    const running = runStep(step, { log: () => undefined, started: (g) => (pgid = g), stop: stopped });
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(groupAlive(pgid), true);
    stop();
    await assert.rejects(
      running,
      (err) => err instanceof StoppedError && /stopped while running tree\.sh/.test(err.message),
    );
    for (const pid of readFileSync(pids, 'utf8').trim().split('\n').map(Number)) {
      assert.equal(isRunning(pid), false, `pid ${pid} left running`);
    }
    assert.equal(groupAlive(pgid), false);
  });
});
