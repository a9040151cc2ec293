// list.ts: list requests: resourceVersion and resourceVersionMatch semantics, limit/continue
// paging in namespace-then-name order, and filtering. No list holds the event loop for long: the
// entries are read in steps of at most SCAN_STEP keys (ListScan), every step at the version the
// list started at, so the store may change between steps without the list seeing it.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { badRequest, expired, invalid, StatusError } from '../status.js';
import { countAt, entriesAt } from '../store/snapshot.js';
import type { Entry, Store } from '../store/store.js';
import type { Filter } from './filter.js';
import type { ListMeta } from './render.js';

/** ListResult is one page of a list. */
export interface ListResult {
  entries: Entry[];
  meta: ListMeta;
}

interface ContinueToken {
  v: 1;
  rv: number;
  after: string;
}

const LIST_OPTIONS = { group: 'meta.k8s.io', resource: 'listoptions', kind: 'ListOptions' };

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString()) as ContinueToken;
    if (t.v === 1 && Number.isSafeInteger(t.rv) && typeof t.after === 'string') return t;
  } catch {
    // fall through to the error below
  }
  throw badRequest(
    'continue key is not valid: the continue token could not be decoded; restart the list without it',
  );
}

/** validateListOptions checks the option combinations upstream rejects, with the same 422s. */
export function validateListOptions(q: URLSearchParams): void {
  const rv = q.get('resourceVersion');
  const match = q.get('resourceVersionMatch');
  const causes = [];
  if (q.has('sendInitialEvents')) {
    causes.push({
      reason: 'FieldValueForbidden',
      field: 'sendInitialEvents',
      message: 'Forbidden: sendInitialEvents is forbidden for list',
    });
  }
  if (match) {
    if (!rv)
      causes.push({
        reason: 'FieldValueForbidden',
        field: 'resourceVersionMatch',
        message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
      });
    if (q.get('continue'))
      causes.push({
        reason: 'FieldValueForbidden',
        field: 'resourceVersionMatch',
        message: 'Forbidden: resourceVersionMatch is forbidden when continue is provided',
      });
    if (match !== 'Exact' && match !== 'NotOlderThan') {
      causes.push({
        reason: 'FieldValueNotSupported',
        field: 'resourceVersionMatch',
        message: `Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`,
      });
    }
    if (match === 'Exact' && rv === '0') {
      causes.push({
        reason: 'FieldValueForbidden',
        field: 'resourceVersionMatch',
        message: 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
      });
    }
  }
  if (causes.length > 0) throw invalid(LIST_OPTIONS, '', causes);
}

/** parseRV parses a resourceVersion parameter (400 when not a number). */
export function parseRV(s: string): number {
  if (!/^\d+$/.test(s)) throw badRequest(`invalid resource version "${s}": must be a non-negative integer`);
  return Number(s);
}

/** CONTINUE_EXPIRED is kube-apiserver's message for a continue token older than it can serve. */
export const CONTINUE_EXPIRED =
  'The provided continue parameter is too old to display a consistent list result. ' +
  'You can start a new list without the continue parameter.';

// listVersion returns the version a list without continue is served at: the current one, or the
// requested one for resourceVersionMatch=Exact (served from the history, 410 beyond it).
function listVersion(q: URLSearchParams, current: number): number {
  const rvParam = q.get('resourceVersion');
  if (!rvParam || rvParam === '0') return current;
  const rv = parseRV(rvParam);
  if (rv > current) {
    throw new StatusError(504, 'Timeout', `Timeout: Too large resource version: ${rv}, current: ${current}`, {
      retryAfterSeconds: 1,
    });
  }
  return q.get('resourceVersionMatch') === 'Exact' ? rv : current;
}

// entriesFrom iterates the store at version rv (the live state when rv is current) after the
// continue position, or throws 410 Expired when the history no longer reaches back to rv.
function entriesFrom(store: Store, rv: number, after: string | undefined, prefix?: string) {
  if (rv === store.lastRV())
    return (function* () {
      for (const key of store.keysFrom(after, prefix)) yield store.get(key)!;
    })();
  const at = entriesAt(store, rv, after, prefix);
  if (at !== 'expired') return at;
  throw expired(
    after === undefined ? `too old resource version: ${rv} (${store.lastRV()})` : CONTINUE_EXPIRED,
  );
}

/** SCAN_STEP is the most keys one synchronous step of a list (or of a watch's initial state) reads. */
export const SCAN_STEP = 2048;

/**
 * ListScan reads the entries of a list at version rv after a position, in steps of at most
 * SCAN_STEP keys; each step rebuilds the view at rv (snapshot.ts), so the store may change between
 * steps. A step throws 410 Expired when the history no longer reaches back to rv.
 */
export class ListScan {
  #after: string | undefined;
  /** done is set once a step has read the last key. */
  done = false;

  constructor(
    private readonly store: Store,
    readonly rv: number,
    private readonly filter: Filter,
    after?: string,
  ) {
    this.#after = after;
  }

  /** position is the last key read so far (admitted or not). */
  get position(): string | undefined {
    return this.#after;
  }

  /** step returns the admitted entries among the next SCAN_STEP keys. */
  step(): Entry[] {
    const out: Entry[] = [];
    let n = 0;
    const prefix = scopePrefix(this.filter);
    for (const e of entriesFrom(this.store, this.rv, this.#after, prefix)) {
      this.#after = e.key;
      if (this.filter.admits(e)) out.push(e);
      if (++n === SCAN_STEP) return out;
    }
    this.done = true;
    return out;
  }
}

const scopePrefix = (f: Filter): string | undefined =>
  f.namespace !== undefined ? `${f.namespace}/` : undefined;

/** ListPlan is a validated list request: where it starts and how many items it may return. */
export interface ListPlan {
  scan: ListScan;
  /** limit is the page size; 0 for the whole collection. */
  limit: number;
}

/** planList validates a list request and positions its scan (400, 410, 422 and 504 as upstream). */
export function planList(store: Store, current: number, q: URLSearchParams, filter: Filter): ListPlan {
  validateListOptions(q);
  const version = listVersion(q, current);
  const limit = q.has('limit') ? Number(q.get('limit')) : 0;
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`invalid limit "${q.get('limit')}"`);
  const token = q.get('continue') ? decodeContinue(q.get('continue')!) : undefined;
  return { scan: new ListScan(store, token?.rv ?? version, filter, token?.after), limit };
}

/** list returns one page: entries passing filter after the continue position, at most limit (all
 * when limit is 0), reading in steps with a turn of the event loop between them. */
export function list(store: Store, current: number, q: URLSearchParams, filter: Filter): Promise<ListResult> {
  return listPage(store, planList(store, current, q, filter), filter);
}

/** listPage reads the page a plan describes (see list). */
export async function listPage(store: Store, plan: ListPlan, filter: Filter): Promise<ListResult> {
  const { scan, limit } = plan;
  const entries: Entry[] = [];
  let more = false;
  for (let first = true; !scan.done && !more; first = false) {
    if (!first) await nextTurn();
    for (const e of scan.step()) {
      if (limit > 0 && entries.length === limit) {
        more = true;
        break;
      }
      entries.push(e);
    }
  }
  const meta: ListMeta = { resourceVersion: String(scan.rv) };
  const last = entries[entries.length - 1]?.key;
  if (more && last !== undefined) {
    meta.continue = encodeContinue({ v: 1, rv: scan.rv, after: last });
    if (filter.trivial) {
      const remaining = countAt(store, scan.rv, last, scopePrefix(filter));
      if (remaining !== 'expired') meta.remainingItemCount = remaining;
    }
  }
  return { entries, meta };
}
