// chars.ts: character codes of the selector language, named instead of magic numbers.

/** Char lists the code points the tokenizer looks at. */
export const enum Char {
  Tab = 0x09,
  Space = 0x20,
  Bang = 0x21, // !
  DQuote = 0x22, // "
  Amp = 0x26, // &
  SQuote = 0x27, // '
  LParen = 0x28, // (
  RParen = 0x29, // )
  Comma = 0x2c, // ,
  Minus = 0x2d, // -
  Dot = 0x2e, // .
  Slash = 0x2f, // /
  Zero = 0x30,
  Nine = 0x39,
  Eq = 0x3d, // =
  A = 0x41,
  Z = 0x5a,
  Underscore = 0x5f,
  a = 0x61,
  z = 0x7a,
  LBrace = 0x7b, // {
  Pipe = 0x7c, // |
  RBrace = 0x7d, // }
}

/** isLabelChar reports whether c may appear in a label: [a-zA-Z0-9_./-]. */
export function isLabelChar(c: i32): bool {
  if (c >= Char.a && c <= Char.z) return true;
  if (c >= Char.A && c <= Char.Z) return true;
  if (c >= Char.Zero && c <= Char.Nine) return true;
  return c == Char.Underscore || c == Char.Dot || c == Char.Slash || c == Char.Minus;
}

/** isBlank reports whether c is skipped between tokens: only space and tab, as in Calico. */
export function isBlank(c: i32): bool {
  return c == Char.Space || c == Char.Tab;
}

/** skipBlanks returns the first offset at or after i that is not a space or tab. */
export function skipBlanks(s: string, i: i32): i32 {
  const n = s.length;
  while (i < n && isBlank(s.charCodeAt(i))) i++;
  return i;
}

/** compareCodePoints orders strings like Go's byte-wise UTF-8 comparison (sort.Strings). */
export function compareCodePoints(a: string, b: string): i32 {
  const n = min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x == y) continue;
    // Surrogates (0xD800-0xDFFF) encode code points above 0xFFFF, which sort after 0xE000-0xFFFF in UTF-8.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs != ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
