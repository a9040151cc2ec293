// controlplane.ts: the cost of one harness cluster: start time and resident memory (RSS) of
// kube-apiserver and etcd, idle after start.
//   npm run bench -- controlplane
import { readFileSync } from 'node:fs';
import { startControlPlane } from '../test/harness/controlplane.js';

const rssMiB = (pid: number): number =>
  Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

const t = Date.now();
const cp = await startControlPlane({ clusters: ['one'] });
try {
  const started = Date.now() - t;
  await new Promise((r) => setTimeout(r, 10_000));
  const c = cp.cluster('one');
  console.log(`one cluster ready in ${(started / 1000).toFixed(1)} s`);
  console.log(
    `kube-apiserver RSS ${rssMiB(c.apiserver!.child.pid!).toFixed(0)} MiB, etcd RSS ${rssMiB(cp.etcd.process.child.pid!).toFixed(0)} MiB (idle, 10 s after ready)`,
  );
} finally {
  await cp.stop();
}
