// review.ts: the evaluation behind SelectorReview: a read-only review of a parsed selector against a
// label index, run in steps of bounded work with the event loop served in between, so a selector at
// the size limit against a large mesh never holds the thread long enough to fail a health check.
import type { Wasm } from './wasm.js';

/** ReviewOptions tune how a review shares the thread (tests and benchmarks change them). */
export interface ReviewOptions {
  /** stepVisits bounds the selector nodes one step may visit (one step takes about a millisecond). */
  stepVisits?: number;
  /** pause runs before each step; the default yields to timers and I/O (setImmediate). */
  pause?: () => Promise<void>;
}

/** DEFAULT_STEP_VISITS is about a millisecond of evaluation (bench/selector-worst.ts measures it). */
export const DEFAULT_STEP_VISITS = 100_000;

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** runReview evaluates selector handle sel against index h and returns the names (by name()) of
 * the endpoints it matches, unsorted. Slots are named right after the step that found them, so a
 * slot reused later is never misnamed. */
export async function runReview(
  w: Wasm,
  h: number,
  sel: number,
  name: (slot: number) => string,
  opts: ReviewOptions = {},
): Promise<string[]> {
  const pause = opts.pause ?? yieldToLoop;
  await pause(); // collecting the candidates is a piece of work of its own
  const r = w.call('reviewStart', h, sel);
  try {
    const cost = w.callInt32s('reviewInfo', r)[1]!;
    const perStep = Math.max(1, Math.floor((opts.stepVisits ?? DEFAULT_STEP_VISITS) / cost));
    const out: string[] = [];
    for (;;) {
      await pause();
      for (const slot of w.callInt32s('reviewStep', r, perStep)) out.push(name(slot));
      if (w.callInt32s('reviewInfo', r)[0] === 0) return out;
    }
  } finally {
    w.call('reviewEnd', r);
  }
}
