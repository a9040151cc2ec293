// ratelimit.ts: a log line budget per key (at most `burst` lines per `intervalMs`), so that a
// client sending bad requests in a loop cannot flood the log. The first line after a window with
// suppressed lines says how many were suppressed.
/** LogBudget decides which lines of a repeated kind are written. */
export class LogBudget {
  readonly #windows = new Map<string, { start: number; written: number; suppressed: number }>();

  constructor(
    private readonly burst = 10,
    private readonly intervalMs = 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * take returns undefined when the line must be dropped, else the number of lines of this key
   * suppressed since the last one written (0 when none).
   */
  take(key: string): number | undefined {
    const now = this.clock();
    let w = this.#windows.get(key);
    if (!w || now - w.start >= this.intervalMs) {
      const suppressed = w?.suppressed ?? 0;
      // Keys are a small fixed set (kinds of security event); old windows are simply replaced.
      w = { start: now, written: 1, suppressed: 0 };
      this.#windows.set(key, w);
      return suppressed;
    }
    if (w.written < this.burst) {
      w.written++;
      return 0;
    }
    w.suppressed++;
    return undefined;
  }
}
