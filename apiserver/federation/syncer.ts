// syncer.ts: mirrors one remote cluster's objects into the mesh store. A generic reflector per
// kind lists (paginated) and watches the kube-apiserver, diffs every list against what it already
// delivered (so a relist after 410 or a reconnect yields only real changes) and applies changes in
// batches. Connection state and user-actionable errors are reported for the RCC status.
import http from 'node:http';
import https from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeConfig, KubernetesObject, V1Namespace, V1Node, V1Pod } from '@kubernetes/client-node';
import type { V1ServiceAccount } from '@kubernetes/client-node';
import type { Logger } from '../log.js';
import type { MeshStore, SourceChange } from '../mesh/meshstore.js';
import { classifyError, RemoteRequestError, type ClassifiedError, type RemoteStatus } from './errors.js';

/** SyncKind is one resource a syncer mirrors: where to list/watch it and where changes go. */
export interface SyncKind<T extends KubernetesObject = KubernetesObject> {
  /** name is the plural resource name used in state and logs, e.g. "pods". */
  name: string;
  /** path is the collection path across namespaces, e.g. "/api/v1/pods". */
  path: string;
  /** labelSelector and fieldSelector narrow what is synced (export scoping). */
  labelSelector?: string;
  fieldSelector?: string;
  /** apply receives one batch per list and per burst of watch events (never empty). */
  apply(changes: SourceChange<T>[]): void;
}

/** KindState is the sync progress of one kind. */
export interface KindState {
  listed: boolean;
  objects: number;
  resourceVersion?: string;
}

/** SyncerState is what the RCC status reports about one remote cluster. */
export interface SyncerState {
  /** connected is true while every kind's last list or watch request succeeded. */
  connected: boolean;
  /** synced is true once every kind has been listed since start. */
  synced: boolean;
  /** lastError is the failure that keeps the syncer disconnected; cleared on reconnect. */
  lastError?: ClassifiedError;
  /** lastSyncTime is when the remote last sent data (list, watch event or bookmark). */
  lastSyncTime?: Date;
  kinds: Record<string, KindState>;
}

/** SyncerOptions configure startSyncer. */
export interface SyncerOptions {
  cluster: string;
  kubeConfig: KubeConfig;
  kinds: SyncKind<any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  log: Logger;
  onState: (s: SyncerState) => void;
  backoff?: { initialMs: number; maxMs: number };
  watchTimeoutSeconds?: number;
  random?: () => number;
  /** sleep waits between retries; it should settle early when signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  now?: () => Date;
  /** listPageSize is the list limit per page; default 500. */
  listPageSize?: number;
  /** requestTimeoutMs bounds connecting and reading a list; default 30 s. */
  requestTimeoutMs?: number;
}

/** Syncer is a running sync of one remote cluster. */
export interface Syncer {
  /** synced resolves after every kind was listed once; it never settles if stopped before that. */
  synced: Promise<void>;
  state(): SyncerState;
  /** stop aborts every request; no callbacks run after it resolves and no timers remain. */
  stop(): Promise<void>;
  /** rewatchFrom restarts a kind's watch from resourceVersion ("1" provokes 410 and a relist). */
  rewatchFrom(kind: string, resourceVersion: string): void;
}

type Obj = KubernetesObject;
type WatchEvent = { type: string; object: Obj & RemoteStatus };
const keyOf = (o: Obj): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
const rvOf = (o: Obj): string => o.metadata?.resourceVersion ?? '';
/** resourceOf names a kind as RBAC does: "pods", "endpointslices.discovery.k8s.io". */
const resourceOf = (k: SyncKind): string => {
  const m = /^\/apis\/([^/]+)\/[^/]+\/([^/?]+)/.exec(k.path);
  return m ? `${m[2]}.${m[1]}` : k.name;
};
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
const isGone = (e: unknown): boolean => e instanceof RemoteRequestError && e.status?.code === 410;

/** Engine is what a reflector needs from its syncer. */
interface Engine {
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
class Reflector {
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
        this.e.down(this, err);
        await this.e.retryDelay(attempt++);
      }
    }
  }

  async relist(): Promise<string> {
    const seen = new Map<string, Obj>();
    let cont: string | undefined;
    let rv = '';
    do {
      const q = { limit: String(this.e.pageSize), continue: cont, ...this.selectors() };
      const res = await this.e.open('list', this.kind, q, this.e.signal);
      const list = JSON.parse(await readBody(res)) as {
        kind?: string;
        apiVersion?: string;
        items?: Obj[];
        metadata?: { continue?: string; resourceVersion?: string };
      };
      for (const o of list.items ?? [])
        seen.set(keyOf(o), { ...o, kind: list.kind?.replace(/List$/, ''), apiVersion: list.apiVersion });
      cont = list.metadata?.continue || undefined;
      rv = list.metadata?.resourceVersion ?? rv;
    } while (cont);
    this.flush();
    for (const [key, o] of seen) this.upsert(key, o, true);
    for (const key of [...this.delivered.keys()].filter((k) => !seen.has(k))) this.remove(key);
    this.listed = true;
    this.e.heard();
    this.e.up(this);
    this.flush();
    this.e.emit();
    return rv;
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
async function* watchEvents(res: http.IncomingMessage): AsyncGenerator<WatchEvent> {
  res.setEncoding('utf8');
  let buf = '';
  for await (const chunk of res as AsyncIterable<string>) {
    buf += chunk;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield JSON.parse(line) as WatchEvent;
    }
  }
}

async function readBody(res: http.IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let body = '';
  for await (const chunk of res as AsyncIterable<string>) body += chunk;
  return body;
}

interface Transport {
  kc: KubeConfig;
  agent: http.Agent;
  server: string;
  timeoutMs: number;
  watchIdleMs: number;
}

/** openRequest GETs kind's collection and resolves with a 2xx response; other codes reject with their Status. */
async function openRequest(
  t: Transport,
  verb: 'list' | 'watch',
  kind: SyncKind,
  query: Record<string, string | undefined>,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  const url = new URL(t.server + kind.path);
  for (const [k, v] of Object.entries(query)) if (v) url.searchParams.set(k, v);
  const opts: https.RequestOptions = {};
  await t.kc.applyToHTTPSOptions(opts); // per request: exec plugins and token files may rotate
  const fail = (status?: RemoteStatus, cause?: unknown): RemoteRequestError =>
    new RemoteRequestError(t.server, verb, resourceOf(kind), status, cause);
  return new Promise((resolve, reject) => {
    const headers = { ...opts.headers, Accept: 'application/json' };
    const mod = url.protocol === 'http:' ? http : https;
    const req = mod.request(url, { ...opts, headers, agent: t.agent, signal }, (res) => {
      const code = res.statusCode ?? 0;
      if (code >= 200 && code < 300) {
        if (verb === 'watch') req.setTimeout(t.watchIdleMs);
        return resolve(res);
      }
      readBody(res).then(
        (b) => reject(fail(statusOf(code, b))),
        (e: unknown) => reject(fail(undefined, e)),
      );
    });
    req.setTimeout(t.timeoutMs, () =>
      req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })),
    );
    req.on('error', (e) => reject(fail(undefined, e)));
    req.end();
  });
}

function statusOf(code: number, body: string): RemoteStatus {
  try {
    const s = JSON.parse(body) as RemoteStatus;
    return { code, reason: s.reason, message: s.message };
  } catch {
    return { code, message: body.slice(0, 200) };
  }
}

/** startSyncer starts mirroring opts.kinds of one remote cluster; see Syncer. */
export function startSyncer(opts: SyncerOptions): Syncer {
  const stopAC = new AbortController();
  const signal = stopAC.signal;
  const server = opts.kubeConfig.getCurrentCluster()?.server ?? '';
  const agent = new (server.startsWith('http:') ? http.Agent : https.Agent)({ keepAlive: true });
  const watchTimeoutSeconds = opts.watchTimeoutSeconds ?? 300;
  const transport: Transport = {
    kc: opts.kubeConfig,
    agent,
    server,
    timeoutMs: opts.requestTimeoutMs ?? 30_000,
    watchIdleMs: (watchTimeoutSeconds + 60) * 1000, // bookmarks arrive about once a minute
  };
  const st = new SyncState(opts, signal);
  const engine: Engine = {
    signal,
    server,
    log: opts.log,
    watchTimeoutSeconds,
    pageSize: opts.listPageSize ?? 500,
    open: (verb, kind, q, s) => openRequest(transport, verb, kind, q, s),
    up: (r) => st.update(r),
    down: (r, err) => st.failed(r, err),
    heard: () => st.heard(),
    emit: () => st.emit(),
    retryDelay: (attempt) => st.wait(attempt),
  };
  st.reflectors.push(...opts.kinds.map((k: SyncKind) => new Reflector(k, engine)));
  const runs = st.reflectors.map((r) => r.run());
  let stopping: Promise<void> | undefined;
  return {
    synced: st.synced,
    state: () => st.snapshot(),
    stop: () =>
      (stopping ??= (async () => {
        stopAC.abort();
        for (const r of st.reflectors) r.cancel();
        await Promise.allSettled(runs);
        agent.destroy();
      })()),
    rewatchFrom: (kind, rv) => {
      const r = st.reflectors.find((x) => x.kind.name === kind);
      if (!r) throw new Error(`rewatchFrom: no kind named ${kind}`);
      r.rewatchFrom(rv);
    },
  };
}

/** SyncState derives the syncer's state from its reflectors and reports changes of it. */
class SyncState {
  readonly reflectors: Reflector[] = [];
  readonly synced: Promise<void>;
  #connected = false;
  #synced = false;
  #lastError?: ClassifiedError;
  #lastSyncTime?: Date;
  #logged = new Map<Reflector, string>();
  #settle!: () => void;
  #stopWait: Promise<void>;

  constructor(
    private readonly o: SyncerOptions,
    private readonly signal: AbortSignal,
  ) {
    this.synced = new Promise<void>((res) => (this.#settle = res));
    this.#stopWait = new Promise((r) => signal.addEventListener('abort', () => r(), { once: true }));
  }

  snapshot(): SyncerState {
    const kinds: Record<string, KindState> = {};
    for (const r of this.reflectors) {
      kinds[r.kind.name] = { listed: r.listed, objects: r.delivered.size, resourceVersion: r.rv };
    }
    const s: SyncerState = { connected: this.#connected, synced: this.#synced, kinds };
    if (this.#lastError) s.lastError = { ...this.#lastError };
    if (this.#lastSyncTime) s.lastSyncTime = new Date(this.#lastSyncTime);
    return s;
  }

  emit(): void {
    if (this.signal.aborted) return;
    try {
      this.o.onState(this.snapshot());
    } catch (err) {
      this.o.log.error('syncer state listener failed', { cluster: this.o.cluster, error: String(err) });
    }
  }

  heard(): void {
    this.#lastSyncTime = (this.o.now ?? (() => new Date()))();
  }

  /** update recomputes connected and synced from the reflectors; r.isUp is set by the caller. */
  update(r?: Reflector): void {
    if (r) r.isUp = true;
    const connected = this.reflectors.every((x) => x.isUp);
    const synced = this.reflectors.every((x) => x.listed);
    if (connected === this.#connected && synced === this.#synced) return;
    if (connected && !this.#connected)
      this.o.log.info('remote cluster connected', { cluster: this.o.cluster });
    if (connected) this.#lastError = undefined;
    this.#connected = connected;
    if (synced && !this.#synced) this.#settle();
    this.#synced = synced;
    this.emit();
  }

  failed(r: Reflector, err: unknown): void {
    r.isUp = false;
    const wrapped =
      err instanceof RemoteRequestError
        ? err
        : new RemoteRequestError(
            this.o.kubeConfig.getCurrentCluster()?.server ?? '',
            r.listed ? 'watch' : 'list',
            resourceOf(r.kind),
            undefined,
            err,
          );
    const e = classifyError(wrapped);
    const fields = { cluster: this.o.cluster, kind: r.kind.name, reason: e.reason, error: e.message };
    if (this.#logged.get(r) !== e.message) this.o.log.warn('remote cluster sync failed; retrying', fields);
    else this.o.log.debug('remote cluster sync failed again', fields);
    this.#logged.set(r, e.message);
    const changed = this.#connected || this.#lastError?.message !== e.message;
    this.#connected = false;
    this.#lastError = e;
    if (changed) this.emit();
  }

  /** wait sleeps the capped, jittered backoff for attempt, returning early on stop. */
  async wait(attempt: number): Promise<void> {
    const { initialMs, maxMs } = this.o.backoff ?? { initialMs: 500, maxMs: 30_000 };
    const base = Math.min(maxMs, initialMs * 2 ** attempt);
    const ms = base / 2 + ((this.o.random ?? Math.random)() * base) / 2;
    const sleep = this.o.sleep ?? ((t, s) => delay(t, undefined, { signal: s }).catch(() => undefined));
    await Promise.race([sleep(ms, this.signal), this.#stopWait]);
  }
}

/** Wiring lets later features receive services and EndpointSlices (no-ops until then). */
export interface Wiring {
  services?: (changes: SourceChange<KubernetesObject>[]) => void;
  endpointSlices?: (changes: SourceChange<KubernetesObject>[]) => void;
}

/** coreKinds returns the kinds a remote cluster syncs into mesh, plus services and EndpointSlices for wiring. */
export function coreKinds(mesh: MeshStore, cluster: string, wiring: Wiring = {}): SyncKind[] {
  const noop = (): void => undefined;
  const kinds = [
    {
      name: 'namespaces',
      path: '/api/v1/namespaces',
      apply: (c) => mesh.applyNamespaces(cluster, c),
    } satisfies SyncKind<V1Namespace>,
    {
      name: 'serviceaccounts',
      path: '/api/v1/serviceaccounts',
      apply: (c) => mesh.applyServiceAccounts(cluster, c),
    } satisfies SyncKind<V1ServiceAccount>,
    {
      name: 'pods',
      path: '/api/v1/pods',
      apply: (c) => mesh.applyPods(cluster, c),
    } satisfies SyncKind<V1Pod>,
    {
      name: 'nodes',
      path: '/api/v1/nodes',
      apply: (c) => mesh.applyNodes(cluster, c),
    } satisfies SyncKind<V1Node>,
    { name: 'services', path: '/api/v1/services', apply: wiring.services ?? noop },
    {
      name: 'endpointslices',
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      apply: wiring.endpointSlices ?? noop,
    },
  ];
  return kinds as SyncKind[];
}
