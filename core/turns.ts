// turns.ts: cooperative scheduling of heavy core work. Every piece of a large request (parsing a
// selector, printing its canonical form, each step of a review) first waits for its turn; turns are
// handed out one per event-loop iteration, in arrival order, so however many large reviews arrive
// together, the server runs at most one such piece between two rounds of I/O (health checks, lists).

/** Turns hands out event-loop turns for heavy work, one per loop iteration. */
export class Turns {
  readonly #waiting: (() => void)[] = [];
  #scheduled = false;

  /** next resolves on a later loop iteration, when no earlier waiter is still ahead. */
  next(): Promise<void> {
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#schedule();
    });
  }

  // An immediate queued while immediates run fires in the next iteration, after I/O: the resolved
  // waiter's work runs now (as a microtask of this immediate), the next waiter's in a later round.
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const next = this.#waiting.shift();
      if (this.#waiting.length > 0) this.#schedule();
      next?.();
    });
  }
}
