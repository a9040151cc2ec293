// informer.ts: runs a client-node informer of the local cluster for as long as its owner wants:
// a failed list or watch is retried with backoff and logged with a hint for the usual causes (at
// debug while kube-apiserver is still starting: 429 "storage is (re)initializing", or for the first
// two failures in a row; at warn after that); a successful start resets both.
import type { Informer, KubernetesObject } from '@kubernetes/client-node';
import { Backoff } from '../core/backoff.js';
import type { Logger } from './log.js';

/** InformerRun says what an informer watches and when its owner has stopped it. */
export interface InformerRun {
  /** what names the watched collection in log lines, e.g. "meshnetworkpolicies". */
  what: string;
  log: Logger;
  stopped: () => boolean;
  /** hint explains an HTTP status code of a failure, e.g. 404: the CRD is not installed. */
  hint?: (code: number | undefined) => string;
}

/** runInformer starts inf and keeps it running; the promise settles after the first start. */
export function runInformer<T extends KubernetesObject>(inf: Informer<T>, r: InformerRun): Promise<void> {
  const backoff = new Backoff({ initialMs: 500, maxMs: 30_000 });
  let failed = false;
  let inARow = 0;
  inf.on('error', (err: unknown) => {
    failed = true;
    if (r.stopped()) return;
    const delay = backoff.next();
    const code = (err as { code?: number }).code;
    const hint = r.hint?.(code) ?? '';
    const level = code === 429 || ++inARow <= 2 ? 'debug' : 'warn';
    r.log[level](`watching ${r.what} failed; retrying${hint}`, {
      retryInMs: Math.round(delay),
      error: String((err as Error).message ?? err).slice(0, 200),
    });
    setTimeout(() => void (r.stopped() ? undefined : start()), delay).unref();
  });
  const start = async (): Promise<void> => {
    failed = false;
    await inf.start();
    if (!failed) {
      backoff.reset();
      inARow = 0;
    }
  };
  return start();
}
