// selector.ts: parsed selectors as JS objects. Parsing, evaluation and the canonical form run in
// the core; only the unique ID's SHA-224 is computed here, over the core's canonical string.
import * as crypto from 'node:crypto';
import type { Interner } from './interner.js';
import type { Wasm } from './wasm.js';
import { LabelSet } from './labelset.js';

/** Labels is a label map (key to value). */
export type Labels = Readonly<Record<string, string>>;

/** SelectorLimit says which size limit a selector exceeds: its UTF-8 length or its term count. */
export interface SelectorLimit {
  what: 'bytes' | 'terms';
  max: number;
  actual: number;
}

/** SelectorError is a selector that does not parse: the message and its 0-based character position;
 * `limit` is set when the selector is refused for its size, not its syntax. */
export class SelectorError extends Error {
  readonly position: number;
  readonly selector: string;
  readonly limit: SelectorLimit | undefined;

  constructor(selector: string, message: string, position: number, limit?: SelectorLimit) {
    // A bad selector is input, not a fault: no stack trace (capturing one cost more than parsing).
    const depth = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`invalid selector at position ${position}: ${message}`);
    Error.stackTraceLimit = depth;
    this.name = 'SelectorError';
    this.selector = selector;
    this.position = position;
    this.reason = message;
    this.limit = limit;
  }

  /** reason is the message without the position prefix. */
  readonly reason: string;
}

// oneShot is crypto.hash (Node 20.12+): one native call, half the cost of a Hash object per ID.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'base64url') => string }).hash;

/** uniqueID returns Calico's selector ID: "s:" + base64url(SHA-224("s:" + canonical)), unpadded. */
export function uniqueID(canonical: string): string {
  const data = 's:' + canonical;
  return (
    's:' +
    (oneShot
      ? oneShot('sha224', data, 'base64url')
      : crypto.createHash('sha224').update(data).digest('base64url'))
  );
}

/**
 * wellFormed replaces each unpaired UTF-16 surrogate with U+FFFD, as Go's JSON decoding does to
 * every string before Calico sees it: `a == "\ud800"` is then `a == "\ufffd"` in fedmesh too, with
 * the same unique ID, and matches what it matches in Calico.
 */
export function wellFormed(s: string): string {
  const str = s as string & { isWellFormed(): boolean; toWellFormed(): string };
  return str.isWellFormed() ? s : str.toWellFormed();
}

/** limitMessage explains a size limit a selector exceeds, naming the limit and the size. */
export function limitMessage(l: SelectorLimit): string {
  const what = l.what === 'bytes' ? 'bytes' : 'terms (label comparisons, has(), all(), global())';
  return `selector too large: ${l.actual} ${what}, at most ${l.max}`;
}

// parseError reads the core's last parse error; a term-limit error carries its numbers.
function parseError(wasm: Wasm, src: string): SelectorError {
  const [kind, actual] = wasm.callInt32s('parseErrorLimit');
  if (kind === 2) {
    const limit: SelectorLimit = { what: 'terms', max: wasm.global('MAX_TERMS'), actual: actual! };
    return new SelectorError(src, limitMessage(limit), 0, limit);
  }
  if (kind === 1) {
    const limit: SelectorLimit = { what: 'bytes', max: wasm.global('MAX_LENGTH'), actual: actual! };
    return new SelectorError(src, limitMessage(limit), 0, limit);
  }
  return new SelectorError(src, wasm.callString('parseErrorMessage'), wasm.call('parseErrorPosition'));
}

/** Restrictions is what a selector requires of each label (used for indexing, shown by diagnose). */
export interface Restrictions {
  impossible: boolean;
  labels: Record<string, { present: boolean; absent: boolean; values?: string[] }>;
}

/** Selector is a parsed selector held by the core; dispose() releases it (a finalizer is the backstop). */
export class Selector {
  readonly source: string;
  readonly #wasm: Wasm;
  readonly #interner: Interner;
  #handle: number;

  /** Selector.parse parses src or throws SelectorError. A selector over the size limit is refused
   * here, before it is copied into the core's memory. With lazyCanonical the canonical form is
   * printed on first use (Core.parseInTurns does that in a turn of its own). */
  static parse(wasm: Wasm, interner: Interner, src: string, lazyCanonical = false): Selector {
    src = wellFormed(src);
    const maxBytes = wasm.global('MAX_LENGTH');
    // A UTF-8 byte count is at least the UTF-16 length the core measures, so the core never sees more.
    if (src.length > maxBytes || Buffer.byteLength(src) > maxBytes) {
      const limit: SelectorLimit = { what: 'bytes', max: maxBytes, actual: Buffer.byteLength(src) };
      throw new SelectorError(src, limitMessage(limit), 0, limit);
    }
    const h = wasm.call('parseSelector', src);
    if (h < 0) throw parseError(wasm, src);
    const sel = new Selector(wasm, interner, src, h);
    if (!lazyCanonical) void sel.canonical; // readable after dispose(), as callers expect
    return sel;
  }

  private constructor(wasm: Wasm, interner: Interner, src: string, handle: number) {
    this.#wasm = wasm;
    this.#interner = interner;
    this.#handle = handle;
    this.source = src;
    finalizer.register(this, { wasm, handle }, this);
  }

  /** canonical is the selector's canonical form (Calico's String()), printed on first use. */
  get canonical(): string {
    this.#canonical ??= this.#wasm.callString('selectorCanonical', this.handle);
    return this.#canonical;
  }

  #canonical: string | undefined;

  /** prefixed is the canonical form with every label name prefixed (Calico's PrefixVisitor), e.g.
   * "pcns." turns a namespace selector into one over the namespace labels endpoints inherit. */
  prefixed(prefix: string): string {
    return this.#wasm.callString('selectorPrefixed', this.handle, prefix);
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

  /** matches evaluates the selector against labels; parents are checked in order, own labels
   * first. A LabelSet (Core.labelSet) carries its parents and crosses into the core as a handle. */
  matches(labels: Labels | LabelSet, parents: readonly Labels[] = []): boolean {
    if (labels instanceof LabelSet)
      return this.#wasm.callNumbers('evalSelectorOn', this.handle, labels.handle) !== 0;
    if (parents.length === 0) {
      const { flat } = this.#interner.pairs([labels]);
      return this.#wasm.callWithScratch('evalScratch', this.handle, flat) !== 0;
    }
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
