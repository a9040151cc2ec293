// list.ts: list requests: resourceVersion and resourceVersionMatch semantics, limit/continue
// paging in namespace-then-name order, and filtering.
import { badRequest, expired, invalid, StatusError } from '../status.js';
import { entriesAt } from '../store/snapshot.js';
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
function entriesFrom(store: Store, rv: number, current: number, after: string | undefined, prefix?: string) {
  if (rv === current)
    return (function* () {
      for (const key of store.keysFrom(after, prefix)) yield store.get(key)!;
    })();
  const at = entriesAt(store, rv, after, prefix);
  if (at !== 'expired') return at;
  throw expired(after === undefined ? `too old resource version: ${rv} (${current})` : CONTINUE_EXPIRED);
}

/** list returns one page: entries passing filter after the continue position, at most limit. */
export function list(store: Store, current: number, q: URLSearchParams, filter: Filter): ListResult {
  validateListOptions(q);
  const version = listVersion(q, current);
  const limit = q.has('limit') ? Number(q.get('limit')) : 0;
  if (!Number.isInteger(limit) || limit < 0) throw badRequest(`invalid limit "${q.get('limit')}"`);
  const token = q.get('continue') ? decodeContinue(q.get('continue')!) : undefined;
  const listRV = token?.rv ?? version;
  const prefix = filter.namespace !== undefined ? `${filter.namespace}/` : undefined;
  const entries: Entry[] = [];
  let last: string | undefined;
  let remaining = 0;
  let more = false;
  for (const e of entriesFrom(store, listRV, current, token?.after, prefix)) {
    const key = e.key;
    if (!filter.admits(e)) continue;
    if (limit > 0 && entries.length === limit) {
      more = true;
      if (!filter.trivial) break;
      remaining++;
      continue;
    }
    entries.push(e);
    last = key;
  }
  const meta: ListMeta = { resourceVersion: String(listRV) };
  if (more && last !== undefined) {
    meta.continue = encodeContinue({ v: 1, rv: listRV, after: last });
    if (filter.trivial) meta.remainingItemCount = remaining;
  }
  return { entries, meta };
}
