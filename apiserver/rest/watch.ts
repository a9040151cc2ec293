// watch.ts: watch streams: newline-delimited WatchEvents from a resourceVersion (410 Expired
// beyond the history), synthetic ADDED events for rv 0 or unset, selector transitions, bookmarks,
// timeouts, Table and PartialObjectMetadata event objects, and slow-watcher cut-off.
import type { ServerResponse } from 'node:http';
import { expired, invalid, type StatusError } from '../status.js';
import type { Entry, Store, StoreEvent } from '../store/store.js';
import { GROUP_VERSION } from '../types.js';
import type { Filter } from './filter.js';
import { parseRV } from './list.js';
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
  const encode = encoder(r, form, q, opts.now);
  // Everything up to the subscription runs synchronously, so no store change can slip between
  // the replay (or the initial state) and the live events.
  const unsubscribe = store.subscribe((events) => events.forEach(send));
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  // Send the headers now: a client waits for them to know the watch is established, even when no
  // event is due yet.
  res.flushHeaders();

  const timers: NodeJS.Timeout[] = [];
  const stop = (): void => {
    unsubscribe();
    timers.forEach(clearTimeout);
    opts.open?.delete(stop);
    if (!res.writableEnded) res.end();
  };
  opts.open?.add(stop);
  res.on('close', stop);
  const write = (line: string | Buffer): void => {
    if (res.writableEnded) return;
    res.write(line);
    if (res.writableLength > opts.maxBufferedBytes) stop();
  };
  function send(ev: StoreEvent): void {
    const t = transition(ev, filter);
    if (t) write(encode(t, ev.entry));
  }

  const replay = fromRV === undefined ? undefined : store.since(fromRV);
  if (replay === 'expired') {
    write(errorEvent(expired(`too old resource version: ${fromRV} (${current})`)));
    return stop();
  }
  if (replay) replay.forEach(send);
  else initialEvents(store, filter, write, encode);

  const bookmark = (annotations?: Record<string, string>): void =>
    write(bookmarkEvent(r, store.lastRV(), annotations));
  if (q.get('sendInitialEvents') === 'true') bookmark({ 'k8s.io/initial-events-end': 'true' });
  if (q.get('allowWatchBookmarks') === 'true') {
    const tick = (): void => {
      bookmark();
      timers.push(setTimeout(tick, opts.bookmarkIntervalMs));
    };
    timers.push(setTimeout(tick, opts.bookmarkIntervalMs));
  }
  const tos = Number(q.get('timeoutSeconds'));
  const seconds = tos > 0 ? tos : opts.minTimeoutSeconds * (1 + Math.random());
  // A timer longer than 2^31-1 ms fires at once; longer timeouts wait that long (about 24.8 days).
  timers.push(setTimeout(stop, Math.min(seconds * 1000, MAX_TIMER_MS)));
}

function initialEvents(store: Store, f: Filter, write: (b: Buffer | string) => void, encode: Encoder): void {
  const prefix = f.namespace !== undefined ? `${f.namespace}/` : undefined;
  for (const key of store.keysFrom(undefined, prefix)) {
    const e = store.get(key)!;
    if (f.admits(e)) write(encode('ADDED', e));
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
