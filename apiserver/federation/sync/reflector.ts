// reflector.ts: the generic reflector of a cluster syncer: lists one kind (paginated), diffs the
// list against what it already delivered, watches from the list's version, and re-watches or
// relists after errors and 410s; only real changes reach the mesh store, in batches.
import type http from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from '../../log.js';
import type { SourceChange } from '../../mesh/kinds/index.js';
import { RemoteRequestError } from './errors.js';
import type { Obj, SyncKind, WatchEvent } from './types.js';
import { readBody, resourceOf, watchEvents } from './transport.js';

export type { Obj, WatchEvent } from './types.js';
const keyOf = (o: Obj): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
const rvOf = (o: Obj): string => o.metadata?.resourceVersion ?? '';
/**
 * newer tells whether rv is a later version than delivered. etcd-backed resourceVersions are
 * decimal integers and comparable (KEP-4988); anything else only dedupes identical versions.
 * This keeps a watch replayed from an older resourceVersion from re-emitting past states.
 */
function newer(rv: string, delivered: string | undefined): boolean {
  if (delivered === undefined) return true;
  if (!/^\d+$/.test(rv) || !/^\d+$/.test(delivered)) return rv !== delivered;
  return rv.length !== delivered.length ? rv.length > delivered.length : rv > delivered;
}
/** RELIST_SLICE is how many listed objects are applied between two turns of the event loop. */
const RELIST_SLICE = 100;
const isGone = (e: unknown): boolean => e instanceof RemoteRequestError && e.status?.code === 410;
const isAbsent = (e: unknown): boolean => e instanceof RemoteRequestError && e.status?.code === 404;

/** Engine is what a reflector needs from its syncer. */
export interface Engine {
  signal: AbortSignal;
  open(
    verb: 'list' | 'watch',
    kind: SyncKind,
    query: Record<string, string | undefined>,
    signal: AbortSignal,
  ): Promise<http.IncomingMessage>;
  up(r: Reflector): void;
  down(r: Reflector, err: unknown): void;
  /** heard records that the remote sent data (lastSyncTime); emit reports the state. */
  heard(): void;
  emit(): void;
  server: string;
  retryDelay(attempt: number): Promise<void>;
  log: Logger;
  watchTimeoutSeconds: number;
  pageSize: number;
}

/** Reflector lists and watches one kind and remembers what it delivered (key → resourceVersion). */
export class Reflector {
  readonly delivered = new Map<string, string>();
  rv?: string;
  listed = false;
  isUp = false;
  #pending: SourceChange<Obj>[] = [];
  #immediate?: NodeJS.Immediate;
  #watch?: AbortController;

  constructor(
    readonly kind: SyncKind,
    private readonly e: Engine,
  ) {}

  async run(): Promise<void> {
    for (let attempt = 0; !this.e.signal.aborted;) {
      try {
        if (this.rv === undefined) this.rv = await this.relist();
        attempt = 0;
        if ((await this.watch(this.rv)) === 'expired') this.expired();
      } catch (err) {
        if (this.e.signal.aborted) return;
        if (isGone(err)) {
          this.expired(); // an expired continue token or watch start: relist, then diff
          continue;
        }
        if (this.kind.optional && isAbsent(err)) {
          this.absent(); // e.g. the CRD is not installed there: nothing to mirror, look again later
          await this.e.retryDelay(attempt++);
          continue;
        }
        this.e.down(this, err);
        await this.e.retryDelay(attempt++);
      }
    }
  }

  async relist(): Promise<string> {
    const seen = new Set<string>();
    let cont: string | undefined;
    let rv = '';
    this.flush();
    do {
      const q = { limit: String(this.e.pageSize), continue: cont, ...this.selectors() };
      const res = await this.e.open('list', this.kind, q, this.e.signal);
      const list = JSON.parse(await readBody(res)) as {
        kind?: string;
        apiVersion?: string;
        items?: Obj[];
        metadata?: { continue?: string; resourceVersion?: string };
      };
      const kind = list.kind?.replace(/List$/, '');
      // Each page is applied as it arrives, a slice at a time with a turn of the event loop
      // between slices: a cluster of many thousand objects never holds the loop (requests,
      // watches, lease renewals) for longer than one slice, nor keeps its whole list in memory.
      for (const o of list.items ?? []) {
        const key = keyOf(o);
        seen.add(key);
        this.upsert(key, { ...o, kind, apiVersion: list.apiVersion }, true);
        if (this.#pending.length >= RELIST_SLICE) await this.#flushAndYield();
      }
      cont = list.metadata?.continue || undefined;
      rv = list.metadata?.resourceVersion ?? rv;
    } while (cont);
    for (const key of [...this.delivered.keys()].filter((k) => !seen.has(k))) this.remove(key);
    this.listed = true;
    this.e.heard();
    this.e.up(this);
    this.flush();
    this.e.emit();
    return rv;
  }

  async #flushAndYield(): Promise<void> {
    this.flush();
    await nextTurn();
    if (this.e.signal.aborted) throw this.e.signal.reason;
  }

  /** watch streams events from rv until the stream ends ('ended') or the rv expired ('expired'). */
  async watch(rv: string): Promise<'ended' | 'expired'> {
    const ac = new AbortController();
    this.#watch = ac;
    const signal = AbortSignal.any([this.e.signal, ac.signal]);
    const q = {
      watch: '1',
      resourceVersion: rv,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(this.e.watchTimeoutSeconds),
      ...this.selectors(),
    };
    try {
      const res = await this.e.open('watch', this.kind, q, signal);
      this.e.up(this);
      for await (const ev of watchEvents(res)) {
        if (this.onEvent(ev) === 'expired') {
          res.destroy();
          return 'expired';
        }
      }
      return 'ended';
    } catch (err) {
      if (ac.signal.aborted && !this.e.signal.aborted) return 'ended'; // rewatchFrom
      throw err;
    }
  }

  expired(): void {
    this.e.log.info('resourceVersion expired; relisting', {
      server: this.e.server,
      kind: this.kind.name,
      resourceVersion: this.rv,
    });
    this.rv = undefined;
  }

  /** absent lists an optional kind the cluster does not serve as empty. */
  absent(): void {
    this.rv = undefined;
    this.flush();
    for (const key of [...this.delivered.keys()]) this.remove(key);
    if (!this.listed)
      this.e.log.info('optional kind not served; treating as empty', { kind: this.kind.name });
    this.listed = true;
    this.e.up(this);
    this.flush();
    this.e.emit();
  }

  rewatchFrom(rv: string): void {
    this.rv = rv;
    this.#watch?.abort();
  }

  onEvent(ev: WatchEvent): 'expired' | undefined {
    const o = ev.object;
    if (ev.type === 'ERROR') {
      if (o.code === 410) return 'expired';
      throw new RemoteRequestError(this.e.server, 'watch', resourceOf(this.kind), o);
    }
    if (ev.type === 'ADDED' || ev.type === 'MODIFIED') this.upsert(keyOf(o), o);
    else if (ev.type === 'DELETED') this.remove(keyOf(o), rvOf(o));
    if (rvOf(o)) this.rv = rvOf(o);
    this.e.heard();
    if (ev.type === 'BOOKMARK') this.e.emit();
    return undefined;
  }

  /** upsert delivers o unless already delivered; a list (authoritative) only skips the same version. */
  upsert(key: string, o: Obj, authoritative = false): void {
    const had = this.delivered.get(key);
    if (authoritative ? had === rvOf(o) : !newer(rvOf(o), had)) return;
    this.delivered.set(key, rvOf(o));
    if (o.metadata) delete o.metadata.managedFields;
    this.push({ upsert: o });
  }

  remove(key: string, rv?: string): void {
    // A replayed deletion older than what was delivered belongs to a previous incarnation.
    if (rv !== undefined && !newer(rv, this.delivered.get(key))) return;
    if (!this.delivered.delete(key)) return;
    const [namespace, name] = [key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1)];
    this.push({ delete: namespace ? { namespace, name } : { name } });
  }

  push(c: SourceChange<Obj>): void {
    this.#pending.push(c);
    this.#immediate ??= setImmediate(() => this.flush());
  }

  /** flush applies the pending batch (one apply call per list or burst of watch events). */
  flush(): void {
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#immediate = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (!batch.length || this.e.signal.aborted) return;
    try {
      this.kind.apply(batch);
    } catch (err) {
      this.e.log.error('applying synced changes failed', { kind: this.kind.name, error: String(err) });
    }
    this.e.emit();
  }

  cancel(): void {
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#pending = [];
  }

  selectors(): Record<string, string | undefined> {
    return { labelSelector: this.kind.labelSelector, fieldSelector: this.kind.fieldSelector };
  }
}

/** watchEvents yields the newline-delimited JSON events of a watch response. */
