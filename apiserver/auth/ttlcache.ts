// ttlcache.ts: a small bounded cache with per-entry expiry, used for TokenReview and
// SubjectAccessReview results. The oldest entry goes first when it is full.

/** TtlCache maps keys to values that expire after a time-to-live measured by an injected clock. */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** get returns an unexpired value, dropping an expired one. */
  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** set stores value for ttlMs, evicting the oldest entries beyond maxEntries. */
  set(key: string, value: V, ttlMs: number): void {
    if (ttlMs <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** size is the number of stored (possibly expired) entries. */
  get size(): number {
    return this.entries.size;
  }
}
