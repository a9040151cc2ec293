// testbed.test.ts: the dataplane tests' network namespaces leave nothing behind (as root): close()
// removes every namespace, process and host route, and a run killed by SIGKILL (which cannot
// clean up) is swept by the next testbed.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { waitFor } from '../harness/wait.js';
import { Testbed, leftoversOf } from './testbed.js';

describe('dataplane testbed cleanup (root)', () => {
  it('close() removes every namespace, process and host route', async () => {
    assert.equal(process.getuid?.(), 0, 'dataplane tests need root (CI runs as root)');
    const bed = new Testbed();
    try {
      const n1 = bed.addNode(1);
      bed.addNode(2);
      bed.addPod(n1, 20);
      bed.start(n1.pod, ['sleep', '60']);
      assert.ok(bed.leftovers().length >= 6, bed.leftovers().join('\n'));
    } finally {
      bed.close();
    }
    // close() kills synchronously; the exit of a killed child is seen on the next turns.
    await waitFor('the killed processes reaped', async () => bed.leftovers().length === 0, {
      timeoutMs: 5000,
    });
    assert.deepEqual(bed.leftovers(), []);
  });

  it('a run killed by SIGKILL is swept by the next testbed', async () => {
    const code = `import { Testbed } from './test/dataplane/testbed.ts';
      const bed = new Testbed(); const n = bed.addNode(1); bed.start(n.pod, ['sleep', '60']);
      console.log(JSON.stringify({ tag: bed.tag, slot: bed.slot }));
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(child.stdout, 'data')) as [Buffer];
    const { tag, slot } = JSON.parse(line.toString()) as { tag: string; slot: number };
    assert.ok(leftoversOf(tag, slot).length > 0);
    child.kill('SIGKILL');
    await once(child, 'exit');
    const next = new Testbed();
    next.close();
    // Routes of the same slot as this process's testbed would be this one's; the killed run's are
    // checked only when the slots differ.
    const left = leftoversOf(tag, slot).filter((l) => slot !== next.slot || !l.startsWith('host route'));
    assert.deepEqual(left, []);
  });
});
