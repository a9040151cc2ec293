// nodes-watch.ts: helpers of bench/nodes.ts: a pod watch recording when each pod first reports
// Running with an IP, and a process's resident memory.
import { readFileSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import { request } from 'node:https';
import type { Cluster } from '../test/harness/cluster.js';

/** rssMiB reads a process's resident set size. */
export const rssMiB = (pid: number): number => {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};

/** PodWatch records when pods first reported Running with an IP. */
export interface PodWatch {
  runningAt: Map<string, number>;
  /** until resolves once every named pod is Running with an IP (fails after 120 s). */
  until(names: string[]): Promise<void>;
  close(): void;
}

interface PodEvent {
  object?: { metadata?: { name?: string }; status?: { phase?: string; podIP?: string } };
}

/** watchPods watches a namespace's pods as the admin. */
export function watchPods(c: Cluster, namespace: string): PodWatch {
  const runningAt = new Map<string, number>();
  let wake = (): void => undefined;
  let buf = '';
  const req: ClientRequest = request(
    `${c.url}/api/v1/namespaces/${namespace}/pods?watch=1`,
    { ca: c.pki.servingCA.certPem, cert: c.pki.admin.certPem, key: c.pki.admin.keyPem },
    (res) => {
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const ev = JSON.parse(buf.slice(0, i)) as PodEvent;
          buf = buf.slice(i + 1);
          const name = ev.object?.metadata?.name;
          if (
            name &&
            ev.object?.status?.phase === 'Running' &&
            ev.object.status.podIP &&
            !runningAt.has(name)
          )
            runningAt.set(name, Date.now());
        }
        wake();
      });
    },
  );
  req.on('error', () => undefined);
  req.end();
  const until = async (names: string[]): Promise<void> => {
    const deadline = Date.now() + 120_000;
    while (!names.every((n) => runningAt.has(n))) {
      if (Date.now() > deadline)
        throw new Error(`pods not Running: ${names.filter((n) => !runningAt.has(n)).join(', ')}`);
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 1000);
      });
    }
  };
  return { runningAt, until, close: () => req.destroy() };
}
