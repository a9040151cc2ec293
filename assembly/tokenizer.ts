// tokenizer.ts: splits a selector into tokens exactly as Calico's tokenizer does: operators are
// recognised only directly after a label, functions only without a blank before '('.
import { Char, isBlank, isLabelChar, skipBlanks } from './chars';
import * as E from './errors';

/** Tok lists the token kinds. */
export const enum Tok {
  EOF,
  LParen,
  RParen,
  LBrace,
  RBrace,
  Comma,
  Eq,
  Ne,
  Not,
  And,
  Or,
  Str,
  Label,
  Has,
  All,
  Global,
  Contains,
  StartsWith,
  EndsWith,
  In,
  NotIn,
}

const MAX_LABEL: i32 = 512;

/** Tokens holds one tokenized selector; the arrays are reused between parses to spare the GC. */
export class Tokens {
  kinds: Array<i32> = [];
  pos: Array<i32> = [];
  vals: Array<string> = [];

  clear(): void {
    this.kinds.length = 0;
    this.pos.length = 0;
    this.vals.length = 0;
  }

  push(kind: i32, pos: i32, val: string): void {
    this.kinds.push(kind);
    this.pos.push(pos);
    this.vals.push(val);
  }
}

/** tokenize fills toks from src; on error it records it (errors.ts) and returns false. */
export function tokenize(src: string, toks: Tokens): bool {
  toks.clear();
  const n = src.length;
  let i = skipBlanks(src, 0);
  while (i < n) {
    i = nextToken(src, i, toks);
    if (i < 0) return false;
    i = skipBlanks(src, i);
  }
  toks.push(Tok.EOF, n, '');
  return true;
}

// nextToken reads the token at i and returns the offset after it, or -1 on error.
function nextToken(src: string, i: i32, toks: Tokens): i32 {
  const c = src.charCodeAt(i);
  const d = i + 1 < src.length ? src.charCodeAt(i + 1) : -1;
  switch (c) {
    case Char.LParen:
      toks.push(Tok.LParen, i, '');
      return i + 1;
    case Char.RParen:
      toks.push(Tok.RParen, i, '');
      return i + 1;
    case Char.LBrace:
      toks.push(Tok.LBrace, i, '');
      return i + 1;
    case Char.RBrace:
      toks.push(Tok.RBrace, i, '');
      return i + 1;
    case Char.Comma:
      toks.push(Tok.Comma, i, '');
      return i + 1;
    case Char.Eq:
      if (d != Char.Eq) return failAt(i, E.E_LONE_EQ);
      toks.push(Tok.Eq, i, '');
      return i + 2;
    case Char.Bang:
      if (d == Char.Eq) {
        toks.push(Tok.Ne, i, '');
        return i + 2;
      }
      toks.push(Tok.Not, i, '');
      return i + 1;
    case Char.Amp:
      if (d != Char.Amp) return failAt(i, E.E_LONE_AMP);
      toks.push(Tok.And, i, '');
      return i + 2;
    case Char.Pipe:
      if (d != Char.Pipe) return failAt(i, E.E_LONE_PIPE);
      toks.push(Tok.Or, i, '');
      return i + 2;
    case Char.DQuote:
    case Char.SQuote:
      return stringLiteral(src, i, c, toks);
  }
  return wordToken(src, i, toks);
}

// failAt records an error and returns -1 so callers can `return failAt(...)`.
function failAt(pos: i32, msg: string): i32 {
  E.fail(pos, msg);
  return -1;
}

// stringLiteral reads a quoted string: no escapes, it runs to the next identical quote.
function stringLiteral(src: string, i: i32, quote: i32, toks: Tokens): i32 {
  const end = src.indexOf(String.fromCharCode(quote), i + 1);
  if (end < 0) return failAt(i, E.E_UNTERMINATED);
  toks.push(Tok.Str, i, src.substring(i + 1, end));
  return end + 1;
}

// wordToken reads a function call (has(, all(, global() or a label followed by its operator.
function wordToken(src: string, i: i32, toks: Tokens): i32 {
  if (src.startsWith('has(', i)) return hasCall(src, i, toks);
  if (src.startsWith('all(', i)) return emptyCall(src, i, 4, Tok.All, toks);
  if (src.startsWith('global(', i)) return emptyCall(src, i, 7, Tok.Global, toks);
  const end = labelEnd(src, i);
  if (end == i) return failAt(i, E.E_UNEXPECTED_CHAR);
  if (end - i > MAX_LABEL) return failAt(i, E.E_LABEL_TOO_LONG);
  toks.push(Tok.Label, i, src.substring(i, end));
  return operatorAfterLabel(src, end, toks);
}

// labelEnd returns the end of the run of label characters starting at i.
function labelEnd(src: string, i: i32): i32 {
  const n = src.length;
  while (i < n && isLabelChar(src.charCodeAt(i))) i++;
  return i;
}

// hasCall reads `has(` blanks label blanks `)`.
function hasCall(src: string, i: i32, toks: Tokens): i32 {
  const start = skipBlanks(src, i + 4);
  const end = labelEnd(src, start);
  if (end == start) return failAt(start, E.E_EXPECTED_LABEL);
  if (end - start > MAX_LABEL) return failAt(start, E.E_LABEL_TOO_LONG);
  const close = skipBlanks(src, end);
  if (close >= src.length || src.charCodeAt(close) != Char.RParen)
    return failAt(close, E.E_EXPECTED_RPAREN_FN);
  toks.push(Tok.Has, i, src.substring(start, end));
  return close + 1;
}

// emptyCall reads `all(` or `global(` followed by blanks and `)`.
function emptyCall(src: string, i: i32, open: i32, kind: i32, toks: Tokens): i32 {
  const close = skipBlanks(src, i + open);
  if (close >= src.length || src.charCodeAt(close) != Char.RParen)
    return failAt(close, E.E_EXPECTED_RPAREN_FN);
  toks.push(kind, i, '');
  return close + 1;
}

// operatorAfterLabel reads the operator that must follow a label; == and != are left to nextToken.
function operatorAfterLabel(src: string, i: i32, toks: Tokens): i32 {
  const j = skipBlanks(src, i);
  // '=' and '!' are left to nextToken, which accepts == and != and explains a lone '='.
  if (j < src.length && (src.charCodeAt(j) == Char.Eq || src.charCodeAt(j) == Char.Bang)) return j;
  let end = keyword(src, j, 'contains', '');
  if (end >= 0) {
    toks.push(Tok.Contains, j, '');
    return end;
  }
  end = keyword(src, j, 'starts', 'with');
  if (end >= 0) {
    toks.push(Tok.StartsWith, j, '');
    return end;
  }
  end = keyword(src, j, 'ends', 'with');
  if (end >= 0) {
    toks.push(Tok.EndsWith, j, '');
    return end;
  }
  end = keyword(src, j, 'not', 'in');
  if (end >= 0) {
    toks.push(Tok.NotIn, j, '');
    return end;
  }
  end = keyword(src, j, 'in', '');
  if (end >= 0) {
    toks.push(Tok.In, j, '');
    return end;
  }
  return failAt(j, E.E_EXPECTED_OPERATOR);
}

// keyword matches `first` [blanks `second`] at i followed by a word boundary; returns its end or -1.
function keyword(src: string, i: i32, first: string, second: string): i32 {
  if (!src.startsWith(first, i)) return -1;
  let end = i + first.length;
  if (second.length > 0) {
    end = skipBlanks(src, end);
    if (!src.startsWith(second, end)) return -1;
    end += second.length;
  }
  if (end < src.length && isLabelChar(src.charCodeAt(end))) return -1;
  return end;
}

/** isBlankOnly reports whether src holds only spaces and tabs (the empty selector, all()). */
export function isBlankOnly(src: string): bool {
  for (let i = 0; i < src.length; i++) if (!isBlank(src.charCodeAt(i))) return false;
  return true;
}
