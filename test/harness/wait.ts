// wait.ts: polling with a deadline, failing fast when the awaited process has died.
import type { Managed } from './process.js';

/** WaitOptions bound a waitFor poll. */
export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** If this process exits while waiting, waitFor fails at once. */
  process?: Managed;
}

/** waitFor polls check until it returns true; throws after timeoutMs with the last error. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  opts: WaitOptions = {},
): Promise<void> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let lastError = '';
  let exited: string | undefined;
  void opts.process?.exited.then((code) => (exited = code));
  for (;;) {
    if (exited !== undefined)
      throw new Error(`${opts.process?.name} exited (${exited}) while waiting for ${what}`);
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${opts.timeoutMs ?? 30_000}ms waiting for ${what}${lastError ? `: ${lastError}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}
