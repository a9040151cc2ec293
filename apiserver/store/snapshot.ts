// snapshot.ts: the objects of a store as they were at an earlier resourceVersion, rebuilt by rolling
// the live state back through the bounded history. Continue pages read these, so every page of a
// list shows the first page's version exactly, as kube-apiserver's snapshots do.
import { compareKeys, inRange } from './sorted-keys.js';
import type { Entry, Store } from './store.js';

/** entriesAt yields the entries as they were at rv, in key order after `after` (exclusive) and
 * under prefix, or returns 'expired' when the history no longer reaches back to rv. It costs the
 * events since rv (bounded by the history) plus the keys it yields. */
export function entriesAt(
  store: Store,
  rv: number,
  after?: string,
  prefix?: string,
): Iterable<Entry> | 'expired' {
  const events = store.since(rv);
  if (events === 'expired') return 'expired';
  // A key changed since rv was, at rv, what its first later event replaced (nothing if ADDED).
  const past = new Map<string, Entry | undefined>();
  for (const ev of events) if (!past.has(ev.entry.key)) past.set(ev.entry.key, ev.prev);
  const gone = [...past.keys()]
    .filter((k) => past.get(k) !== undefined && store.get(k) === undefined && inRange(k, after, prefix))
    .sort(compareKeys);
  return merge(store, past, gone, after, prefix);
}

// merge walks the live keys and the keys deleted since rv together, in key order.
function* merge(
  store: Store,
  past: Map<string, Entry | undefined>,
  gone: string[],
  after?: string,
  prefix?: string,
): Generator<Entry> {
  let g = 0;
  for (const key of store.keysFrom(after, prefix)) {
    while (g < gone.length && compareKeys(gone[g]!, key) < 0) yield past.get(gone[g++]!)!;
    const e = past.has(key) ? past.get(key) : store.get(key);
    if (e) yield e;
  }
  while (g < gone.length) yield past.get(gone[g++]!)!;
}

/** countAt counts the keys entriesAt(store, rv, after, prefix) would yield, or returns 'expired'.
 * It costs the events since rv plus the store's chunks, not its keys. */
export function countAt(store: Store, rv: number, after?: string, prefix?: string): number | 'expired' {
  const events = store.since(rv);
  if (events === 'expired') return 'expired';
  let n = store.countFrom(after, prefix);
  const seen = new Set<string>();
  for (const ev of events) {
    const key = ev.entry.key;
    if (seen.has(key)) continue;
    seen.add(key);
    if (!inRange(key, after, prefix)) continue;
    // At rv the key was what its first later event replaced; now it is what the store holds.
    n += (ev.prev !== undefined ? 1 : 0) - (store.get(key) !== undefined ? 1 : 0);
  }
  return n;
}
