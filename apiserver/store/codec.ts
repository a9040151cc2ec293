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
  /** Each mark's fragment as UTF-8, by the mark's code. */
  readonly #bytesOf: Uint8Array[] = [];

  constructor(fragments: readonly string[]) {
    if (fragments.length > LAST_MARK - FIRST_MARK + 1)
      throw new Error(`a text codec takes at most ${LAST_MARK - FIRST_MARK + 1} fragments`);
    for (const f of fragments)
      if (f.length < 2 || A_MARK.test(f)) throw new Error(`unusable fragment ${JSON.stringify(f)}`);
    fragments.forEach((f, i) => {
      const mark = String.fromCharCode(FIRST_MARK + i);
      this.#markOf.set(f, mark);
      this.#byMark[mark] = f;
      this.#bytesOf[FIRST_MARK + i] = Buffer.from(f, 'utf8');
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

  /**
   * expandBytes is expand's result for each of texts, as UTF-8 in one buffer, the texts joined by
   * commas; starts (when given) receives where each text begins in it. About twice as fast as
   * expanding, then encoding (a mark is one byte in UTF-8, never part of another character's).
   */
  expandBytes(texts: readonly string[], starts?: number[]): Buffer {
    const joined = texts.join(',');
    const src = Buffer.from(joined, 'utf8');
    const n = src.length;
    const bytesOf = this.#bytesOf;
    let size = n;
    for (let i = 0; i < n; i++) {
      const c = src[i]!;
      if (c <= LAST_MARK && c >= FIRST_MARK) size += bytesOf[c]!.length - 1;
    }
    // Where each text begins in src, to say where it begins in the result.
    const from: number[] = [];
    if (starts) {
      const ascii = n === joined.length;
      let at = 0;
      for (const t of texts) {
        from.push(at);
        at += (ascii ? t.length : Buffer.byteLength(t)) + 1;
      }
    }
    from.push(-1);
    const dst = Buffer.allocUnsafe(size);
    let o = 0;
    let k = 0;
    let next = from[0]!;
    for (let i = 0; i < n; i++) {
      if (i === next) {
        starts!.push(o);
        next = from[++k]!;
      }
      const c = src[i]!;
      if (c > LAST_MARK || c < FIRST_MARK) {
        dst[o++] = c;
        continue;
      }
      const f = bytesOf[c]!;
      dst.set(f, o);
      o += f.length;
    }
    return dst;
  }
}
