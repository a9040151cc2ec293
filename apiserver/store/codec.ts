// codec.ts: a store's objects kept with their recurring JSON fragments (field names, constant
// values) replaced by one control character each. JSON.stringify never writes a raw control
// character (it escapes U+0000-U+001F), so every one in a compacted text stands for a fragment
// and expansion is exact, wherever a fragment matched. A FederatedEndpoint's 640 bytes of JSON
// keep in about 210.

const FIRST_MARK = 1;
const LAST_MARK = 0x1f;
// The marks are control characters by design: JSON text never holds one raw.
// eslint-disable-next-line no-control-regex
const MARKS = /[\u0001-\u001f]/g;
// eslint-disable-next-line no-control-regex
const A_MARK = /[\u0001-\u001f]/;

/** TextCodec compacts and expands JSON texts with a fixed list of fragments. */
export class TextCodec {
  /** Every fragment in one alternation, longest first: one pass over a text compacts it. */
  readonly #any: RegExp;
  readonly #markOf = new Map<string, string>();
  readonly #byMark: Record<string, string> = {};

  constructor(fragments: readonly string[]) {
    if (fragments.length > LAST_MARK - FIRST_MARK + 1)
      throw new Error(`a text codec takes at most ${LAST_MARK - FIRST_MARK + 1} fragments`);
    for (const f of fragments)
      if (f.length < 2 || A_MARK.test(f)) throw new Error(`unusable fragment ${JSON.stringify(f)}`);
    fragments.forEach((f, i) => {
      const mark = String.fromCharCode(FIRST_MARK + i);
      this.#markOf.set(f, mark);
      this.#byMark[mark] = f;
    });
    const longestFirst = [...fragments].sort((a, b) => b.length - a.length);
    this.#any = new RegExp(longestFirst.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  }

  /** compact replaces the fragments of json (as written by JSON.stringify) by their marks. */
  compact(json: string): string {
    return json.replace(this.#any, (f) => this.#markOf.get(f)!);
  }

  /** expand restores the JSON of a compacted text (or of several joined). */
  expand(text: string): string {
    return text.replace(MARKS, (m) => this.#byMark[m]!);
  }
}
