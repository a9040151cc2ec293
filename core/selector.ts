// selector.ts: parsed selectors as JS objects. Parsing, evaluation and the canonical form run in
// the core; only the unique ID's SHA-224 is computed here, over the core's canonical string.
import { createHash } from 'node:crypto';
import type { Interner } from './interner.js';
import type { Wasm } from './wasm.js';

/** Labels is a label map (key to value). */
export type Labels = Readonly<Record<string, string>>;

/** SelectorError is a selector that does not parse: the message and its 0-based character position. */
export class SelectorError extends Error {
  readonly position: number;
  readonly selector: string;

  constructor(selector: string, message: string, position: number) {
    super(`invalid selector at position ${position}: ${message}`);
    this.name = 'SelectorError';
    this.selector = selector;
    this.position = position;
    this.reason = message;
  }

  /** reason is the message without the position prefix. */
  readonly reason: string;
}

/** uniqueID returns Calico's selector ID: "s:" + base64url(SHA-224("s:" + canonical)), unpadded. */
export function uniqueID(canonical: string): string {
  return (
    's:' +
    createHash('sha224')
      .update('s:' + canonical)
      .digest('base64url')
  );
}

/** Restrictions is what a selector requires of each label (used for indexing, shown by diagnose). */
export interface Restrictions {
  impossible: boolean;
  labels: Record<string, { present: boolean; absent: boolean; values?: string[] }>;
}

/** Selector is a parsed selector held by the core; dispose() releases it (a finalizer is the backstop). */
export class Selector {
  readonly source: string;
  readonly canonical: string;
  readonly #wasm: Wasm;
  readonly #interner: Interner;
  #handle: number;

  /** Selector.parse parses src or throws SelectorError. */
  static parse(wasm: Wasm, interner: Interner, src: string): Selector {
    const h = wasm.call('parseSelector', src);
    if (h < 0) {
      const message = wasm.callString('parseErrorMessage');
      throw new SelectorError(src, message, wasm.call('parseErrorPosition'));
    }
    return new Selector(wasm, interner, src, h);
  }

  private constructor(wasm: Wasm, interner: Interner, src: string, handle: number) {
    this.#wasm = wasm;
    this.#interner = interner;
    this.#handle = handle;
    this.source = src;
    this.canonical = wasm.callString('selectorCanonical', handle);
    finalizer.register(this, { wasm, handle }, this);
  }

  /** uniqueID is the selector's Calico unique ID. */
  get uniqueID(): string {
    return uniqueID(this.canonical);
  }

  /** handle is the core handle (for core/ only); it throws once disposed. */
  get handle(): number {
    if (this.#handle < 0) throw new Error('selector already disposed');
    return this.#handle;
  }

  /** matches evaluates the selector against labels; parents are checked in order, own labels first. */
  matches(labels: Labels, parents: readonly Labels[] = []): boolean {
    const { flat, counts } = this.#interner.pairs([labels, ...parents]);
    return this.#wasm.call('evalSelector', this.handle, flat, counts) !== 0;
  }

  /** restrictions returns what the selector requires of each label. */
  restrictions(): Restrictions {
    return JSON.parse(this.#wasm.callString('selectorRestrictions', this.handle)) as Restrictions;
  }

  /** dispose releases the selector in the core. */
  dispose(): void {
    if (this.#handle < 0) return;
    finalizer.unregister(this);
    this.#wasm.call('freeSelector', this.#handle);
    this.#handle = -1;
  }
}

// A forgotten dispose() must not leak core memory forever.
const finalizer = new FinalizationRegistry<{ wasm: Wasm; handle: number }>(({ wasm, handle }) => {
  wasm.call('freeSelector', handle);
});
