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

  /** The mark that ends an object's metadata, and how many of its fragment's bytes belong to it. */
  readonly #metadataEnd: { mark: number; keep: number } | undefined;

  /** metadataEnd, when given, is a fragment whose first `keep` bytes always close an object's
   * metadata (as `"},"spec":{` does after a last string field): expandBytes may stop there. */
  constructor(fragments: readonly string[], metadataEnd?: { fragment: string; keep: number }) {
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
    if (metadataEnd) {
      const i = fragments.indexOf(metadataEnd.fragment);
      if (i < 0)
        throw new Error(`the metadata end ${JSON.stringify(metadataEnd.fragment)} is not a fragment`);
      this.#metadataEnd = { mark: FIRST_MARK + i, keep: metadataEnd.keep };
    }
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
   * With borrow, the buffer is one the next call reuses: for bytes read at once and dropped (a
   * list of 100k objects would otherwise allocate twice its size in buffers the GC must chase).
   * With metadataOnly (and starts), each text whose codec knows where metadata ends is expanded
   * only that far: what follows its metadata object is left out (about half of an endpoint).
   */
  expandBytes(texts: readonly string[], opts: ExpandOptions = {}): Buffer {
    const { starts, borrow = false } = opts;
    const { src, n, from } = utf8Of(texts);
    const cut = starts && opts.metadataOnly ? this.#metadataEnd : undefined;
    const bytesOf = this.#bytesOf;
    let dst: Buffer = scratch.dst.length >= n ? scratch.dst : (scratch.dst = Buffer.allocUnsafeSlow(n * 4));
    let o = 0;
    let k = 0;
    let next = from[0]!;
    for (let i = 0; i < n; i++) {
      if (i === next) {
        starts?.push(o);
        next = from[++k]!;
      }
      const c = src[i]!;
      if (c > LAST_MARK || c < FIRST_MARK) {
        dst[o++] = c;
        continue;
      }
      const f = bytesOf[c]!;
      const m = c === cut?.mark ? cut.keep : f.length;
      // Room for this fragment and, at most, one byte for each byte still to read.
      if (o + m + n - i > dst.length) dst = scratch.dst = grown(dst, o, o + m + n - i);
      if (m === f.length && m > 16) dst.set(f, o);
      else for (let j = 0; j < m; j++) dst[o + j] = f[j]!;
      o += m;
      if (m !== f.length) i = (next < 0 ? n : next - 1) - 1; // on to the comma before the next text
    }
    if (borrow) return dst.subarray(0, o);
    const out = Buffer.allocUnsafe(o);
    dst.copy(out, 0, 0, o);
    return out;
  }
}

// utf8Of writes texts as UTF-8 joined by commas into the reused source buffer, with where each
// begins (from, ended by -1).
function utf8Of(texts: readonly string[]): { src: Buffer; n: number; from: number[] } {
  let most = texts.length;
  for (const t of texts) most += t.length * 3;
  if (scratch.src.length < most) scratch.src = Buffer.allocUnsafeSlow(most * 2);
  const src = scratch.src;
  const from: number[] = [];
  let n = 0;
  for (let k = 0; k < texts.length; k++) {
    if (k > 0) src[n++] = 0x2c;
    from.push(n);
    n += src.write(texts[k]!, n, 'utf8');
  }
  from.push(-1);
  return { src, n, from };
}

// grown returns a buffer of at least `need` bytes (twice as large) holding buf's first `used` bytes.
function grown(buf: Buffer, used: number, need: number): Buffer {
  const next = Buffer.allocUnsafeSlow(Math.max(need, buf.length * 2));
  buf.copy(next, 0, 0, used);
  return next;
}

/** ExpandOptions are the options of TextCodec.expandBytes. */
export interface ExpandOptions {
  starts?: number[];
  borrow?: boolean;
  metadataOnly?: boolean;
}

// Buffers reused by every call: the UTF-8 of the texts being expanded, and borrowed results.
const scratch: { src: Buffer; dst: Buffer } = {
  src: Buffer.allocUnsafeSlow(1 << 16),
  dst: Buffer.allocUnsafeSlow(1 << 16),
};
