// gate.ts: policy sets are served only from a complete view. After a start, fedmesh-apiserver
// waits until the local cluster and every RemoteClusterConfiguration listed at start have synced
// once, so no node is ever handed a set that lacks a cluster's members merely because its list
// had not arrived yet (nodes keep their kernel state while sets are missing). The wait is bounded:
// past it, sets are served without the clusters still missing, which the log and a metric name.

/** GateState says whether the gate is open and, if it opened on timeout, which clusters it lacks. */
export interface GateState {
  open: boolean;
  /** waitingFor are the clusters not synced yet (while closed), or missing when it timed out. */
  waitingFor: string[];
  timedOut: boolean;
}

/** SyncGate opens when every expected cluster has synced, or when the wait bound passes. */
export class SyncGate {
  readonly #synced = new Set<string>();
  #expected?: Set<string>;
  #state: GateState = { open: false, waitingFor: [], timedOut: false };
  #timer?: NodeJS.Timeout;
  #resolve!: (s: GateState) => void;
  /** opened resolves once, when the gate opens. */
  readonly opened = new Promise<GateState>((r) => (this.#resolve = r));

  constructor(
    private readonly timeoutMs: number,
    private readonly onTimeout: (missing: string[]) => void = () => undefined,
  ) {}

  /** arm starts the bound; the gate opens when it passes, whatever has synced. */
  arm(): void {
    this.#timer ??= setTimeout(() => this.#timeout(), this.timeoutMs).unref();
  }

  /** expect names the clusters to wait for. */
  expect(clusters: Iterable<string>): void {
    this.#expected = new Set(clusters);
    this.#check();
  }

  /** report records a cluster's sync state (a cluster that synced once counts as synced). */
  report(cluster: string, synced: boolean): void {
    if (synced) this.#synced.add(cluster);
    this.#check();
  }

  /** state is the gate's current state. */
  state(): GateState {
    if (this.#state.open) return this.#state;
    return { open: false, waitingFor: this.#missing(), timedOut: false };
  }

  /** stop cancels the bound. */
  stop(): void {
    clearTimeout(this.#timer);
  }

  #missing(): string[] {
    return [...(this.#expected ?? [])].filter((c) => !this.#synced.has(c)).sort();
  }

  #check(): void {
    if (this.#state.open || this.#expected === undefined || this.#missing().length > 0) return;
    this.#open({ open: true, waitingFor: [], timedOut: false });
  }

  #timeout(): void {
    if (this.#state.open) return;
    const missing = this.#expected === undefined ? ['(cluster list not read)'] : this.#missing();
    this.onTimeout(missing);
    this.#open({ open: true, waitingFor: missing, timedOut: true });
  }

  #open(s: GateState): void {
    clearTimeout(this.#timer);
    this.#state = s;
    this.#resolve(s);
  }
}
