// wait.ts: polling until something is ready, with a progress line on stderr whenever what is
// missing changes (kubectl rollout status style), and a timeout that says what is still not ready.
import { CliError } from '../cli/errors.js';

/** Check is one poll: true when ready, else a short description of what is not ready yet. */
export type Check = () => Promise<true | string>;

/** WaitOptions tune waitFor. */
export interface WaitOptions {
  intervalMs?: number;
  /** next is the command that shows more when the wait times out. */
  next?: string;
  sleep?: (ms: number) => Promise<void>;
}

/** waitFor polls check until it returns true; progress goes to onProgress, a timeout throws ETIMEOUT. */
export async function waitFor(
  what: string,
  check: Check,
  timeoutMs: number,
  onProgress: (line: string) => void,
  opts: WaitOptions = {},
): Promise<void> {
  const sleep = opts.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const r = await check();
    if (r === true) {
      onProgress(`${what}: ready\n`);
      return;
    }
    if (r !== last) onProgress(`Waiting for ${what}: ${r}\n`);
    last = r;
    if (Date.now() >= deadline) {
      const secs = Math.round(timeoutMs / 1000);
      throw new CliError(
        'ETIMEOUT',
        `timed out after ${secs}s waiting for ${what}: ${r}`,
        undefined,
        opts.next,
      );
    }
    await sleep(Math.min(opts.intervalMs ?? 500, Math.max(0, deadline - Date.now())));
  }
}
