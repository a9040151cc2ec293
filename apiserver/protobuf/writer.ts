// writer.ts: a protobuf writer for messages written field by field into one growing buffer. A
// nested message is opened before its fields and closed after them; its length is then written in
// front of it (moving its bytes when the length needs more than one byte).
const MAX_ONE_BYTE = 127;

export class ProtoWriter {
  #buf: Buffer;
  #pos = 0;

  constructor(sizeHint = 4096) {
    this.#buf = Buffer.allocUnsafe(Math.max(64, sizeHint));
  }

  #ensure(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.#buf.length * 2, this.#pos + n));
    this.#buf.copy(next, 0, 0, this.#pos);
    this.#buf = next;
  }

  #varint(v: number): void {
    this.#ensure(10);
    const b = this.#buf;
    while (v > MAX_ONE_BYTE) {
      b[this.#pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    b[this.#pos++] = v;
  }

  #tag(field: number, wire: number): void {
    this.#varint(field * 8 + wire);
  }

  /** string writes a string field; undefined is not written, nor is "" unless keepEmpty. */
  string(field: number, s: string | undefined, keepEmpty = false): void {
    if (s === undefined || (s === '' && !keepEmpty)) return;
    this.#tag(field, 2);
    // Up to 42 UTF-16 units take at most 126 bytes: a one-byte length, written after the bytes.
    if (s.length <= 42) {
      this.#ensure(1 + 3 * s.length);
      const n = this.#buf.write(s, this.#pos + 1, 'utf8');
      this.#buf[this.#pos] = n;
      this.#pos += 1 + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.#varint(n);
    this.#ensure(n);
    this.#pos += this.#buf.write(s, this.#pos, 'utf8');
  }

  /** raw writes a string field from UTF-8 bytes src[from, to); "" only if keepEmpty. */
  raw(field: number, src: Uint8Array, from: number, to: number, keepEmpty = false): void {
    const n = to - from;
    if (n === 0 && !keepEmpty) return;
    this.#tag(field, 2);
    this.#varint(n);
    this.#ensure(n);
    const b = this.#buf;
    if (n > 64) b.set(src.subarray(from, to), this.#pos);
    else for (let i = 0; i < n; i++) b[this.#pos + i] = src[from + i]!;
    this.#pos += n;
  }

  /** int64 writes an integer field (two's complement for negative values); undefined is not written. */
  int64(field: number, v: number | undefined): void {
    if (v === undefined) return;
    this.#tag(field, 0);
    if (v >= 0 && Number.isSafeInteger(v)) return this.#varint(v);
    let u = BigInt.asUintN(64, BigInt(Math.trunc(v)));
    this.#ensure(10);
    while (u > 0x7fn) {
      this.#buf[this.#pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.#buf[this.#pos++] = Number(u);
  }

  /** bool writes a boolean field; undefined is not written. */
  bool(field: number, v: boolean | undefined): void {
    if (v === undefined) return;
    this.#tag(field, 0);
    this.#varint(v ? 1 : 0);
  }

  /** open starts a nested message; close(at, field) ends it. */
  open(): number {
    this.#ensure(2);
    const at = this.#pos;
    this.#pos += 2; // tag and a one-byte length, for the usual case
    return at;
  }

  /** close ends the nested message opened at `at` as field `field` (which must be below 16). */
  close(at: number, field: number): void {
    const len = this.#pos - at - 2;
    const b = this.#buf;
    b[at] = field * 8 + 2;
    if (len <= MAX_ONE_BYTE) {
      b[at + 1] = len;
      return;
    }
    let extra = 0;
    for (let v = len >>> 7; v > 0; v >>>= 7) extra++;
    this.#ensure(extra);
    this.#buf.copyWithin(at + 2 + extra, at + 2, this.#pos);
    this.#pos += extra;
    let v = len;
    let p = at + 1;
    const nb = this.#buf;
    while (v > MAX_ONE_BYTE) {
      nb[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    nb[p] = v;
  }

  /** bytes returns what was written (a view of the writer's buffer). */
  bytes(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }
}
