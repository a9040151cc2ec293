// syncer.ts: mirrors one remote cluster's objects into the mesh store. A generic reflector per
// kind lists (paginated) and watches the kube-apiserver, diffs every list against what it already
// delivered (so a relist after 410 or a reconnect yields only real changes) and applies changes in
// batches. Connection state and user-actionable errors are reported for the RCC status.
import http from 'node:http';
import https from 'node:https';
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { backoffDelay, type BackoffPolicy } from '../../../core/backoff.js';
import type { Logger } from '../../log.js';
import { classifyError, RemoteRequestError, type ClassifiedError } from './errors.js';
import { Reflector, type Engine } from './reflector.js';
import { openRequest, resourceOf, type Transport } from './transport.js';
import type { SyncKind } from './types.js';

export type { SyncKind } from './types.js';

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
  backoff?: Omit<BackoffPolicy, 'random'>;
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

/** startSyncer starts mirroring one cluster's kinds; it returns at once and lists in the background. */
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
    const policy = { ...(this.o.backoff ?? { initialMs: 500, maxMs: 30_000 }), random: this.o.random };
    const ms = backoffDelay(attempt, policy);
    const sleep = this.o.sleep ?? ((t, s) => delay(t, undefined, { signal: s }).catch(() => undefined));
    await Promise.race([sleep(ms, this.signal), this.#stopWait]);
  }
}
