// watch.ts: watch streams: newline-delimited WatchEvents from a resourceVersion (410 Expired
// beyond the history), synthetic ADDED events for rv 0 or unset, selector transitions, bookmarks,
// timeouts, Table and PartialObjectMetadata event objects, and slow-watcher cut-off. The initial
// state streams in scan steps at the pace of the client, with live events held until it is out.
import type { ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { expired, invalid, type StatusError } from '../status.js';
import type { Entry, Store, StoreEvent } from '../store/store.js';
import { GROUP_VERSION } from '../types.js';
import type { Filter } from './filter.js';
import { ListScan, parseRV } from './list.js';
import { drained } from './liststream.js';
import type { Form } from './negotiate.js';
import { includeObjectOf, partialMetadataJSON, tableJSON, tableRow } from './render.js';
import type { Resource } from './resource.js';

/** WatchOptions tune watch streams (tests shorten the intervals). */
export interface WatchOptions {
  bookmarkIntervalMs: number;
  /** Bytes a watcher may have unsent before it is cut off (it then relists). */
  maxBufferedBytes: number;
  /** Default watch duration range in seconds when the client sets no timeoutSeconds. */
  minTimeoutSeconds: number;
  now: () => number;
  /** Open watches register their stop here, so a shutdown can end each stream cleanly. */
  open?: Set<() => void>;
}

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
const WATCH_OPTIONS = { group: 'meta.k8s.io', resource: 'listoptions', kind: 'ListOptions' };

/** validateWatchOptions checks sendInitialEvents and resourceVersionMatch as upstream does. */
export function validateWatchOptions(q: URLSearchParams): void {
  const match = q.get('resourceVersionMatch');
  const sie = q.get('sendInitialEvents');
  const causes = [];
  if (match && sie === null) {
    causes.push({
      reason: 'FieldValueForbidden',
      field: 'resourceVersionMatch',
      message: 'Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided',
    });
  }
  if (sie !== null) {
    if (match !== 'NotOlderThan')
      causes.push({
        reason: 'FieldValueNotSupported',
        field: 'resourceVersionMatch',
        message: `Unsupported value: "${match ?? ''}": supported values: "NotOlderThan"`,
      });
    if (sie === 'true' && q.get('allowWatchBookmarks') !== 'true')
      causes.push({
        reason: 'FieldValueForbidden',
        field: 'allowWatchBookmarks',
        message: 'Forbidden: allowWatchBookmarks must be set to true when sendInitialEvents is true',
      });
  }
  if (causes.length > 0) throw invalid(WATCH_OPTIONS, '', causes);
}

/** transition maps a store event to what a filtered watcher sees, or undefined for nothing. */
function transition(ev: StoreEvent, f: Filter): EventType | undefined {
  const was = ev.prev !== undefined && f.admits(ev.prev);
  if (ev.type === 'DELETED') return was ? 'DELETED' : undefined;
  const is = f.admits(ev.entry);
  if (is) return was ? 'MODIFIED' : 'ADDED';
  return was ? 'DELETED' : undefined;
}

/** serveWatch streams events to res until timeout, client close or cut-off. */
export function serveWatch(
  res: ServerResponse,
  r: Resource,
  store: Store,
  current: number,
  filter: Filter,
  form: Form,
  q: URLSearchParams,
  opts: WatchOptions,
): void {
  validateWatchOptions(q);
  const rvParam = q.get('resourceVersion') ?? '';
  const fromRV = rvParam === '' || rvParam === '0' ? undefined : parseRV(rvParam);
  const w = new WatchStream(res, r, store, filter, encoder(r, form, q, opts.now), q, opts);
  w.begin(fromRV, current);
  if (q.get('allowWatchBookmarks') === 'true') w.tickBookmarks();
  const tos = Number(q.get('timeoutSeconds'));
  const seconds = tos > 0 ? tos : opts.minTimeoutSeconds * (1 + Math.random());
  // A timer longer than 2^31-1 ms fires at once; longer timeouts wait that long (about 24.8 days).
  w.timers.push(setTimeout(w.stop, Math.min(seconds * 1000, MAX_TIMER_MS)));
}

// WatchStream is one open watch. The subscription and the version of the initial state (or of
// the replay) are taken together, so no store change can slip between them. While the initial
// state streams, live events wait in `pending` (all of them come after it) and go out after it.
class WatchStream {
  readonly timers: NodeJS.Timeout[] = [];
  #pending: StoreEvent[] | undefined;
  readonly #unsubscribe: () => void;

  constructor(
    private readonly res: ServerResponse,
    private readonly r: Resource,
    private readonly store: Store,
    private readonly filter: Filter,
    private readonly encode: Encoder,
    private readonly q: URLSearchParams,
    private readonly opts: WatchOptions,
  ) {
    this.#unsubscribe = store.subscribe((events) => {
      if (this.#pending) {
        for (const ev of events) this.#pending.push(ev);
        return;
      }
      // A batch's events leave in one write to the socket, at once (no later turn to wait for).
      this.res.cork();
      events.forEach(this.send);
      this.res.uncork();
    });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    // Send the headers now: a client waits for them to know the watch is established, even when
    // no event is due yet.
    res.flushHeaders();
    opts.open?.add(this.stop);
    res.on('close', this.stop);
  }

  /** begin replays the history after fromRV, or streams the current state when there is none. */
  begin(fromRV: number | undefined, current: number): void {
    if (fromRV === undefined) return this.#initial(this.store.lastRV());
    const replay = this.store.since(fromRV);
    if (replay === 'expired') {
      this.write(errorEvent(expired(`too old resource version: ${fromRV} (${current})`)));
      return this.stop();
    }
    replay.forEach(this.send);
    this.#initialEnd(this.store.lastRV());
  }

  #initial(startRV: number): void {
    const queued: StoreEvent[] = [];
    this.#pending = queued;
    streamInitial(this.res, new ListScan(this.store, startRV, this.filter), this.encode).then(
      () => {
        if (this.#pending !== queued) return; // stopped meanwhile
        this.#pending = undefined;
        this.#initialEnd(startRV);
        queued.forEach(this.send);
      },
      (err: StatusError) => {
        // The store changed more than its history holds while a slow client read: relist.
        this.#pending = undefined;
        const now = this.store.lastRV();
        this.write(
          errorEvent(err.code === 410 ? expired(`too old resource version: ${startRV} (${now})`) : err),
        );
        this.stop();
      },
    );
  }

  #initialEnd(rv: number): void {
    if (this.q.get('sendInitialEvents') === 'true')
      this.#bookmark(rv, { 'k8s.io/initial-events-end': 'true' });
  }

  // A bookmark never overtakes events still to be sent.
  #bookmark(rv: number, annotations?: Record<string, string>): void {
    if (!this.#pending) this.write(bookmarkEvent(this.r, rv, annotations));
  }

  /** tickBookmarks sends a bookmark at every bookmark interval. */
  tickBookmarks(): void {
    const tick = (): void => {
      this.#bookmark(this.store.lastRV());
      this.timers.push(setTimeout(tick, this.opts.bookmarkIntervalMs));
    };
    this.timers.push(setTimeout(tick, this.opts.bookmarkIntervalMs));
  }

  readonly send = (ev: StoreEvent): void => {
    const t = transition(ev, this.filter);
    if (t) this.write(this.encode(t, ev.entry));
  };

  /** write sends a line, cutting the watcher off when it is too far behind (it then relists). */
  write(line: string | Buffer): void {
    if (this.res.writableEnded) return;
    this.res.write(line);
    if (this.res.writableLength > this.opts.maxBufferedBytes) this.stop();
  }

  readonly stop = (): void => {
    this.#unsubscribe();
    this.#pending = undefined;
    this.timers.forEach(clearTimeout);
    this.opts.open?.delete(this.stop);
    if (!this.res.writableEnded) this.res.end();
  };
}

// streamInitial writes the state at the scan's version as ADDED events, a scan step at a time,
// waiting while the client is behind (a slow reader of a large initial state is throttled, not
// cut off). It rejects with 410 Expired when the store changed more than its history holds.
async function streamInitial(res: ServerResponse, scan: ListScan, encode: Encoder): Promise<void> {
  while (!scan.done) {
    if (res.writableEnded) return;
    let ok = true;
    for (const e of scan.step()) ok = res.write(encode('ADDED', e));
    if (!ok) await drained(res);
    await nextTurn();
  }
}

/** MAX_TIMER_MS is the longest delay setTimeout honours. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type Encoder = (type: EventType, e: Entry) => Buffer | string;

function encoder(r: Resource, form: Form, q: URLSearchParams, now: () => number): Encoder {
  if (form.kind === 'table') {
    const include = includeObjectOf(q);
    let first = true;
    return (type, e) => {
      const table = tableJSON(
        r,
        [tableRow(r, e, include, form.version, now())],
        { resourceVersion: String(e.rv) },
        form.version,
        first,
      );
      first = false;
      return `{"type":"${type}","object":${table}}\n`;
    };
  }
  if (form.kind === 'partial') {
    return (type, e) => `{"type":"${type}","object":${partialMetadataJSON(e, form.version)}}\n`;
  }
  return (type, e) => `{"type":"${type}","object":${e.text}}\n`;
}

function bookmarkEvent(r: Resource, rv: number, annotations?: Record<string, string>): string {
  const metadata = { resourceVersion: String(rv), ...(annotations ? { annotations } : {}) };
  return `{"type":"BOOKMARK","object":${JSON.stringify({ kind: r.info.kind, apiVersion: GROUP_VERSION, metadata })}}\n`;
}

function errorEvent(err: StatusError): string {
  return `{"type":"ERROR","object":${JSON.stringify(err.toStatus())}}\n`;
}
