// etcd.ts: one etcd for all harness clusters (each cluster uses its own --etcd-prefix).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from './ports.js';
import { logTail, startProcess, stopProcess, type Managed } from './process.js';
import { waitFor } from './wait.js';

/** Etcd is a running single-member etcd on loopback. */
export interface Etcd {
  url: string;
  process: Managed;
  stop(): Promise<void>;
}

/** startEtcd starts etcd with its data in dir/etcd (and any extra flags) and waits until /health answers. */
export async function startEtcd(bin: string, dir: string, extraArgs: readonly string[] = []): Promise<Etcd> {
  const [clientPort, peerPort] = await freePorts(2);
  const url = `http://127.0.0.1:${clientPort}`;
  const dataDir = join(dir, 'etcd');
  mkdirSync(dataDir, { recursive: true });
  const p = startProcess(
    'etcd',
    bin,
    [
      '--name=fedmesh-test',
      `--data-dir=${dataDir}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=fedmesh-test=http://127.0.0.1:${peerPort}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
      ...extraArgs,
    ],
    join(dir, 'etcd.log'),
  );
  await waitFor(
    'etcd /health',
    async () => {
      const res = await fetch(`${url}/health`);
      return res.ok;
    },
    { timeoutMs: 30_000, process: p },
  ).catch((err: Error) => {
    void stopProcess(p);
    throw new Error(`${err.message}\n--- etcd log ---\n${logTail(p)}`);
  });
  return { url, process: p, stop: () => stopProcess(p) };
}
