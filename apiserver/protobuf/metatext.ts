// metatext.ts: PartialObjectMetadataList items straight from the stored JSON of objects (UTF-8),
// without decoding them: each object's metadata is read in place and written as protobuf, every
// other field skipped, and a string without escapes is copied as the bytes it already is. A
// protobuf metadata list of 100k endpoints decoded every whole object and built every message as
// JS objects first; this writes the bytes the encoders of encode.ts would (same fields, same
// order), from JSON as JSON.stringify writes it (no whitespace between tokens).
import { ProtoWriter } from './writer.js';

/** Fields are the JSON keys of a message's fields (quoted, as bytes), by their length. */
type Fields = { field: number; key: Uint8Array }[][];
const keys = (names: Record<number, string>): Fields => {
  const byLength: Fields = [];
  for (const [f, n] of Object.entries(names))
    (byLength[n.length] ??= []).push({ field: Number(f), key: Buffer.from(`"${n}"`) });
  return byLength;
};
const META_KEYS = keys({
  1: 'name',
  2: 'generateName',
  3: 'namespace',
  4: 'selfLink',
  5: 'uid',
  6: 'resourceVersion',
  7: 'generation',
  8: 'creationTimestamp',
  9: 'deletionTimestamp',
  10: 'deletionGracePeriodSeconds',
  11: 'labels',
  12: 'annotations',
  13: 'ownerReferences',
  14: 'finalizers',
});
const OWNER_KEYS = keys({
  1: 'kind',
  3: 'name',
  4: 'uid',
  5: 'apiVersion',
  6: 'controller',
  7: 'blockOwnerDeletion',
});
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const METADATA = Buffer.from('"metadata"');

/**
 * encodeItemsFromTexts returns the items of a PartialObjectMetadataList (field 2, repeated) for
 * objects given as their JSON joined by commas (joinBytes). It throws on input that is not
 * compact JSON objects; callers then encode from the decoded objects.
 */
export function encodeItemsFromTexts(joined: Uint8Array, starts?: readonly number[]): Uint8Array {
  const w = new ProtoWriter(Math.ceil(joined.length * 0.35)); // metadata: about 30% of the JSON
  const r = new Reader(joined);
  for (let n = 1; r.i < joined.length; n++) {
    const item = w.open();
    const meta = w.open();
    r.object((k) => {
      if (!r.keyIs(k, METADATA)) return r.skip();
      objectMeta(r, w);
      return starts !== undefined; // the rest of the object is not needed when its end is known
    });
    w.close(meta, 1);
    w.close(item, 2);
    if (starts) r.i = n < starts.length ? starts[n]! - 1 : joined.length;
    if (r.i < joined.length) r.expect(0x2c);
  }
  return w.bytes();
}

// objectMeta writes the ObjectMeta at r (its fields in field-number order, as protobufjs does).
function objectMeta(r: Reader, w: ProtoWriter): void {
  const at = spans(r, META_KEYS);
  for (let f = 1; f <= 14; f++) {
    const v = at[f];
    if (v === undefined) continue;
    r.i = v;
    if (f <= 6) r.writeString(w, f, false);
    else if (f === 7) w.int64(f, r.number() || undefined);
    else if (f === 8 || f === 9) time(r, w, f);
    else if (f === 10) w.int64(f, r.number());
    else if (f === 11 || f === 12) stringMap(r, w, f);
    else if (f === 13) r.array(() => ownerReference(r, w));
    else r.array(() => r.writeString(w, 14, true));
  }
  r.i = at[0]!;
}

// spans reads an object at r, returning where each known field's value starts (by field number;
// index 0: where the object ends).
function spans(r: Reader, fields: Fields): (number | undefined)[] {
  const at: (number | undefined)[] = [];
  r.object((k) => {
    const candidates = fields[r.i - k - 3]; // the key's length: from its quote to the value
    if (candidates) {
      for (const c of candidates) {
        if (r.keyIs(k, c.key)) {
          at[c.field] = r.i;
          break;
        }
      }
    }
    r.skip();
  });
  at[0] = r.i;
  return at;
}

function ownerReference(r: Reader, w: ProtoWriter): void {
  const at = spans(r, OWNER_KEYS);
  const m = w.open();
  for (let f = 1; f <= 7; f++) {
    const v = at[f];
    if (v === undefined) continue;
    r.i = v;
    if (f <= 5) r.writeString(w, f, false);
    else w.bool(f, r.bool());
  }
  w.close(m, 13);
  r.i = at[0]!;
}

function stringMap(r: Reader, w: ProtoWriter, field: number): void {
  if (r.null()) return;
  r.object((k) => {
    if (r.t[r.i] !== QUOTE) return r.skip();
    const e = w.open();
    const value = r.i;
    r.i = k;
    r.writeString(w, 1, true);
    r.i = value;
    r.writeString(w, 2, true);
    w.close(e, field);
  });
}

// time writes an RFC 3339 timestamp as metav1.Time {seconds, nanos}, as encode.ts's toTime does.
function time(r: Reader, w: ProtoWriter, field: number): void {
  let seconds = r.utcSeconds();
  let nanos = 0;
  if (seconds === undefined) {
    const s = r.string();
    if (!s) return;
    const ms = Date.parse(s);
    if (Number.isNaN(ms)) throw new Error(`protobuf: invalid timestamp ${JSON.stringify(s)}`);
    const frac = /\.(\d{1,9})/.exec(s)?.[1];
    nanos = frac ? Number(frac.padEnd(9, '0')) : 0;
    seconds = Math.floor(ms / 1000);
  }
  const m = w.open();
  w.int64(1, seconds);
  w.int64(2, nanos || undefined);
  w.close(m, field);
}

/** Reader walks compact JSON in UTF-8. */
class Reader {
  i = 0;
  readonly #text: Buffer;
  constructor(readonly t: Uint8Array) {
    this.#text = Buffer.from(t.buffer, t.byteOffset, t.length);
  }

  expect(c: number): void {
    if (this.t[this.i] !== c) throw this.#bad();
    this.i++;
  }

  /** keyIs tells whether the key whose opening quote is at k is key (quoted). */
  keyIs(k: number, key: Uint8Array): boolean {
    const t = this.t;
    if (t[k + key.length - 1] !== QUOTE || t[k + key.length] !== 0x3a) return false;
    for (let j = 1; j < key.length - 1; j++) if (t[k + j] !== key[j]) return false;
    return true;
  }

  /** object calls onKey with where each key of the object at i starts (its quote), with i at
   * the key's value; onKey must read the value, and may end the walk by returning true. */
  object(onKey: (k: number) => boolean | undefined | void): void {
    this.expect(0x7b);
    if (this.t[this.i] === 0x7d) {
      this.i++;
      return;
    }
    for (;;) {
      const k = this.i;
      if (this.#stringEnd() < 0) throw this.#bad();
      this.expect(0x3a);
      if (onKey(k) === true) return;
      const c = this.t[this.i++];
      if (c === 0x7d) return;
      if (c !== 0x2c) throw this.#bad();
    }
  }

  /** array calls onItem for each item of the array at i (or nothing for null). */
  array(onItem: () => void): void {
    if (this.null()) return;
    this.expect(0x5b);
    if (this.t[this.i] === 0x5d) {
      this.i++;
      return;
    }
    for (;;) {
      onItem();
      const c = this.t[this.i++];
      if (c === 0x5d) return;
      if (c !== 0x2c) throw this.#bad();
    }
  }

  /** #stringEnd moves past the string at i: -1 if there is none, 1 if it has escapes, else 0. */
  #stringEnd(): number {
    const t = this.t;
    if (t[this.i] !== QUOTE) return -1;
    let escaped = 0;
    let j = this.i + 1;
    for (;;) {
      const c = t[j];
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = 1;
        j++;
      } else if (c === undefined) throw this.#bad();
      j++;
    }
    this.i = j + 1;
    return escaped;
  }

  /** writeString writes the string at i as field (its bytes as they are when it has no escapes);
   * "" only if keepEmpty, and nothing for any other value, which it skips. */
  writeString(w: ProtoWriter, field: number, keepEmpty: boolean): void {
    const start = this.i;
    const escaped = this.#stringEnd();
    if (escaped < 0) return this.skip();
    if (escaped) return w.string(field, this.#decode(start), keepEmpty);
    w.raw(field, this.t, start + 1, this.i - 1, keepEmpty);
  }

  /** string reads the string at i (null for any other value, which it skips). */
  string(): string | null {
    const start = this.i;
    const escaped = this.#stringEnd();
    if (escaped < 0) {
      this.skip();
      return null;
    }
    return escaped ? this.#decode(start) : this.#text.toString('utf8', start + 1, this.i - 1);
  }

  #decode(start: number): string {
    return JSON.parse(this.#text.toString('utf8', start, this.i)) as string;
  }

  /** utcSeconds reads a timestamp of the form "2006-01-02T15:04:05Z" (what Kubernetes writes) as
   * seconds since the epoch; undefined, reading nothing, for anything else. */
  utcSeconds(): number | undefined {
    const t = this.t;
    const a = this.i + 1;
    if (t[this.i] !== QUOTE || t[a + 20] !== QUOTE || t[a + 19] !== 0x5a || t[a + 10] !== 0x54)
      return undefined;
    if (t[a + 4] !== 0x2d || t[a + 7] !== 0x2d || t[a + 13] !== 0x3a || t[a + 16] !== 0x3a) return undefined;
    const d = (at: number, n: number): number => {
      let v = 0;
      for (let j = at; j < at + n; j++) {
        const c = t[j]! - 0x30;
        if (c < 0 || c > 9) return NaN;
        v = v * 10 + c;
      }
      return v;
    };
    const [mo, day, h, mi, sec] = [d(a + 5, 2), d(a + 8, 2), d(a + 11, 2), d(a + 14, 2), d(a + 17, 2)];
    if (!(mo >= 1 && mo <= 12 && day >= 1 && day <= 31 && h < 24 && mi < 60 && sec < 60)) return undefined;
    const ms = Date.UTC(d(a, 4), mo - 1, day, h, mi, sec); // as Date.parse, days past a month's end roll over
    if (Number.isNaN(ms)) return undefined;
    this.i = a + 21;
    return ms / 1000;
  }

  number(): number | undefined {
    const start = this.i;
    if (this.t[start] === QUOTE) return this.skip();
    this.skip();
    const v = Number(this.#text.toString('latin1', start, this.i));
    return Number.isFinite(v) ? v : undefined;
  }

  bool(): boolean | undefined {
    const c = this.t[this.i];
    this.skip();
    return c === 0x74 ? true : c === 0x66 ? false : undefined;
  }

  /** skip moves past the value at i. */
  skip(): undefined {
    const t = this.t;
    const c = t[this.i];
    if (c === QUOTE) {
      this.#stringEnd();
      return;
    }
    if (c !== 0x7b && c !== 0x5b) {
      // A number, true, false or null: up to the next delimiter.
      let j = this.i;
      for (let d = t[j]; d !== 0x2c && d !== 0x7d && d !== 0x5d && d !== undefined; d = t[++j]);
      if (j === this.i) throw this.#bad();
      this.i = j;
      return;
    }
    let depth = 0;
    for (;;) {
      const d = t[this.i];
      if (d === QUOTE) {
        this.#stringEnd();
        continue;
      }
      this.i++;
      if (d === 0x7b || d === 0x5b) depth++;
      else if (d === 0x7d || d === 0x5d) {
        if (--depth === 0) return;
      } else if (d === undefined) throw this.#bad();
    }
  }

  /** null moves past a JSON null at i, if there is one. */
  null(): boolean {
    const t = this.t;
    const i = this.i;
    if (t[i] !== 0x6e || t[i + 1] !== 0x75 || t[i + 2] !== 0x6c || t[i + 3] !== 0x6c) return false;
    this.i += 4;
    return true;
  }

  #bad(): Error {
    return new Error(`protobuf: not compact JSON at offset ${this.i}`);
  }
}
