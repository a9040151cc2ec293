// backoff.ts: capped exponential backoff with jitter, the one retry policy of every fedmesh
// loop (cluster syncers, config watches, the authentication config watch). Randomness is injected
// so tests can drive it deterministically.

/** BackoffPolicy is a capped exponential backoff. */
export interface BackoffPolicy {
  /** initialMs is the delay of the first retry (before jitter). */
  initialMs: number;
  /** maxMs caps the delay (before jitter). */
  maxMs: number;
  /** random returns a number in [0, 1); default Math.random. */
  random?: () => number;
}

/** backoffDelay is the delay before retry number attempt (0-based): half the capped base plus up to another half of jitter. */
export function backoffDelay(attempt: number, p: BackoffPolicy): number {
  const base = Math.min(p.maxMs, p.initialMs * 2 ** Math.min(attempt, 52));
  return base / 2 + ((p.random ?? Math.random)() * base) / 2;
}

/** Backoff counts failures and says how long to wait before the next retry. */
export class Backoff {
  #attempt = 0;

  constructor(private readonly policy: BackoffPolicy) {}

  /** next returns the delay before the next retry and counts one more failure. */
  next(): number {
    return backoffDelay(this.#attempt++, this.policy);
  }

  /** reset starts over after a success. */
  reset(): void {
    this.#attempt = 0;
  }

  /** attempt is the number of failures since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }
}
