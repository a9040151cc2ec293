// labelset.ts: an endpoint's labels (and its parents') held in the core, interned and sorted once,
// so matching it against many selectors moves two integers per match instead of every label.
import type { Interner } from './interner.js';
import type { Wasm } from './wasm.js';

type Labels = Readonly<Record<string, string>>;

/** LabelSet is a label set in the core (Core.labelSet); dispose() releases it (a finalizer is the backstop). */
export class LabelSet {
  readonly #wasm: Wasm;
  #handle: number;

  /** LabelSet.of keeps labels and parents (checked in order after the labels) in the core. */
  static of(wasm: Wasm, interner: Interner, labels: Labels, parents: readonly Labels[] = []): LabelSet {
    const { flat, counts } = interner.pairs([labels, ...parents]);
    return new LabelSet(wasm, wasm.call('newLabelSet', flat, counts));
  }

  private constructor(wasm: Wasm, handle: number) {
    this.#wasm = wasm;
    this.#handle = handle;
    finalizer.register(this, { wasm, handle }, this);
  }

  /** handle is the core handle (for core/ only); it throws once disposed. */
  get handle(): number {
    if (this.#handle < 0) throw new Error('label set already disposed');
    return this.#handle;
  }

  /** dispose releases the set in the core. */
  dispose(): void {
    if (this.#handle < 0) return;
    finalizer.unregister(this);
    this.#wasm.call('freeLabelSet', this.#handle);
    this.#handle = -1;
  }
}

// A forgotten dispose() must not leak core memory forever.
const finalizer = new FinalizationRegistry<{ wasm: Wasm; handle: number }>(({ wasm, handle }) => {
  wasm.call('freeLabelSet', handle);
});
