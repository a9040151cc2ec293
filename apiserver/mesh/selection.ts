// selection.ts: owns the label index of the mesh. The mesh store updates identities (endpoints and
// their parents) here before it publishes a batch to watchers; then publish() fans the batch's
// per-selector match changes and IP-set deltas out to every subscriber (policy, federated services).
// Temporary evaluations (selector reviews) never reach subscribers.
import type {
  Core,
  EndpointUpdate,
  IPSetDelta,
  LabelIndex,
  MatchEvent,
  ParentUpdate,
  Selector,
} from '../../core/index.js';
import type { Logger } from '../log.js';

/** SelectionEvent is what one published batch changed for subscribed selectors. */
export interface SelectionEvent {
  /** matches are the match changes, in the order they happened. */
  matches: MatchEvent[];
  /** ipSets holds the non-empty IP-set deltas, by selector ID. */
  ipSets: Map<string, IPSetDelta>;
}

/** Selection is the mesh's label index with subscribers. */
export class Selection {
  readonly #index: LabelIndex;
  readonly #subscribers = new Set<(e: SelectionEvent) => void>();
  readonly #ipSets = new Set<string>();

  constructor(
    core: Core,
    private readonly log?: Logger,
  ) {
    this.#index = core.newIndex({ recordEvents: true });
  }

  /** updateEndpoints upserts and removes endpoint identities (published by the next publish). */
  updateEndpoints(upserts: readonly EndpointUpdate[], removes: readonly string[]): void {
    if (upserts.length) this.#index.upsertEndpoints(upserts);
    if (removes.length) this.#index.removeEndpoints(removes);
  }

  /** updateParents upserts and removes parents (namespaces, service accounts). */
  updateParents(upserts: readonly ParentUpdate[], removes: readonly string[]): void {
    if (upserts.length) this.#index.upsertParents(upserts);
    if (removes.length) this.#index.removeParents(removes);
  }

  /** addSelector subscribes selector id (with an IP set when asked); throws SelectorError. */
  addSelector(id: string, selector: string | Selector, opts: { ipSet?: boolean } = {}): void {
    this.#index.addSelector(id, selector, opts);
    if (opts.ipSet) this.#ipSets.add(id);
    else this.#ipSets.delete(id);
    this.publish();
  }

  /** removeSelector drops selector id; its matches end with stopped events. */
  removeSelector(id: string): void {
    this.#ipSets.delete(id);
    this.#index.removeSelector(id);
    this.publish();
  }

  /** matching returns the endpoint IDs selector id matches, sorted. */
  matching(id: string): string[] {
    return this.#index.matching(id);
  }

  /** ipSetCidrs returns the minimal CIDR cover of selector id's IP set. */
  ipSetCidrs(id: string): string[] {
    return this.#index.ipSetCidrs(id);
  }

  /** evaluate returns the endpoint IDs a selector matches now, in bounded steps that yield to the
   * event loop (core/review.ts); it adds nothing to the index and tells no subscriber. */
  evaluate(selector: Selector): Promise<string[]> {
    return this.#index.review(selector);
  }

  /** subscribe calls fn after every published batch that changed something; returns unsubscribe. */
  subscribe(fn: (e: SelectionEvent) => void): () => void {
    this.#subscribers.add(fn);
    return () => this.#subscribers.delete(fn);
  }

  /** publish drains the index's events and hands them to every subscriber. */
  publish(): void {
    const matches = this.#index.drainEvents();
    const ipSets = new Map<string, IPSetDelta>();
    for (const id of this.#ipSets) {
      const d = this.#index.ipSetDelta(id);
      if (d.added.length || d.removed.length) ipSets.set(id, d);
    }
    if (matches.length === 0 && ipSets.size === 0) return;
    for (const fn of this.#subscribers) {
      try {
        fn({ matches, ipSets });
      } catch (err) {
        this.log?.error('selection subscriber failed', { error: String(err) });
      }
    }
  }
}
