// parser.ts: recursive-descent parser of the selector language (grammar in selectors.md 2.2).
import { Node, Op, leaf, parent, setLeaf } from './ast';
import * as E from './errors';
import { Tok, Tokens, isBlankOnly, tokenize } from './tokenizer';

const MAX_DEPTH: i32 = 200; // bounds recursion so hostile input cannot exhaust the stack

// One token buffer and cursor, reused by every parse (the core is single-threaded).
const toks = new Tokens();
let p: i32 = 0;
let depth: i32 = 0;

/** parse returns the tree of src, or null with the error recorded in errors.ts. */
export function parse(src: string): Node | null {
  E.resetError();
  if (src.length > E.MAX_LENGTH) {
    E.failLimit(E.Limit.Length, src.length);
    return null;
  }
  if (isBlankOnly(src)) return new Node(Op.All);
  if (!tokenize(src, toks)) return null;
  const terms = countTerms();
  if (terms > E.MAX_TERMS) {
    E.failLimit(E.Limit.Terms, terms);
    return null;
  }
  p = 0;
  depth = 0;
  const n = parseOr();
  if (n == null) return null;
  if (kind() != Tok.EOF) {
    E.fail(pos(), E.E_TRAILING);
    return null;
  }
  return n;
}

// countTerms counts the tokens that become leaves (each makes exactly one), before any tree is built.
function countTerms(): i32 {
  let n = 0;
  for (let i = 0, k = toks.kinds.length; i < k; i++) {
    const t = unchecked(toks.kinds[i]);
    if (t == Tok.Label || t == Tok.Has || t == Tok.All || t == Tok.Global) n++;
  }
  return n;
}

function kind(): i32 {
  return unchecked(toks.kinds[p]);
}

function pos(): i32 {
  return unchecked(toks.pos[p]);
}

function parseOr(): Node | null {
  const first = parseAnd();
  if (first == null) return null;
  if (kind() != Tok.Or) return first;
  const kids: Array<Node> = [first];
  while (kind() == Tok.Or) {
    p++;
    const next = parseAnd();
    if (next == null) return null;
    kids.push(next);
  }
  return parent(Op.Or, kids);
}

function parseAnd(): Node | null {
  const first = parseOperation();
  if (first == null) return null;
  if (kind() != Tok.And) return first;
  const kids: Array<Node> = [first];
  while (kind() == Tok.And) {
    p++;
    const next = parseOperation();
    if (next == null) return null;
    kids.push(next);
  }
  return parent(Op.And, kids);
}

// parseOperation reads "!"* and one operation; consecutive '!'s collapse to their parity.
function parseOperation(): Node | null {
  let negate = false;
  while (kind() == Tok.Not) {
    negate = !negate;
    p++;
  }
  const n = parsePrimary();
  if (n == null) return null;
  return negate ? parent(Op.Not, [n]) : n;
}

function parsePrimary(): Node | null {
  const k = kind();
  const at = pos();
  const val = unchecked(toks.vals[p]);
  p++;
  switch (k) {
    case Tok.Has:
      return leaf(Op.Has, val, '');
    case Tok.All:
      return new Node(Op.All);
    case Tok.Global:
      return new Node(Op.Global);
    case Tok.LParen:
      return parseGroup(at);
    case Tok.Label:
      return parseComparison(val);
    case Tok.Str:
      E.fail(at, E.E_STRING_ON_LEFT);
      return null;
    case Tok.EOF:
      E.fail(at, E.E_UNEXPECTED_END);
      return null;
  }
  E.fail(at, E.E_EXPECTED_EXPR);
  return null;
}

// parseGroup reads `( or_expr )`; the parentheses vanish from the tree.
function parseGroup(at: i32): Node | null {
  if (++depth > MAX_DEPTH) {
    E.fail(at, E.E_TOO_DEEP);
    return null;
  }
  const inner = parseOr();
  if (inner == null) return null;
  if (kind() != Tok.RParen) {
    E.fail(pos(), E.E_EXPECTED_RPAREN);
    return null;
  }
  p++;
  depth--;
  return inner;
}

// parseComparison reads the operator and right-hand side after a label.
function parseComparison(key: string): Node | null {
  const k = kind();
  p++;
  switch (k) {
    case Tok.Eq:
      return stringRhs(Op.Eq, key);
    case Tok.Ne:
      return stringRhs(Op.Ne, key);
    case Tok.Contains:
      return stringRhs(Op.Contains, key);
    case Tok.StartsWith:
      return stringRhs(Op.StartsWith, key);
    case Tok.EndsWith:
      return stringRhs(Op.EndsWith, key);
    case Tok.In:
      return setRhs(Op.In, key);
    case Tok.NotIn:
      return setRhs(Op.NotIn, key);
  }
  p--;
  E.fail(pos(), E.E_EXPECTED_OPERATOR);
  return null;
}

function stringRhs(op: i32, key: string): Node | null {
  if (kind() != Tok.Str) {
    E.fail(pos(), E.E_EXPECTED_STRING);
    return null;
  }
  const v = unchecked(toks.vals[p]);
  p++;
  return leaf(op, key, v);
}

// setRhs reads `{ [STRING ("," STRING)* [","]] }`: empty and trailing comma allowed, leading not.
function setRhs(op: i32, key: string): Node | null {
  if (kind() != Tok.LBrace) {
    E.fail(pos(), E.E_EXPECTED_SET);
    return null;
  }
  p++;
  const values = new Array<string>();
  while (kind() != Tok.RBrace) {
    if (kind() != Tok.Str) {
      E.fail(pos(), E.E_EXPECTED_SET_ITEM);
      return null;
    }
    values.push(unchecked(toks.vals[p]));
    p++;
    if (kind() == Tok.Comma) p++;
    else if (kind() != Tok.RBrace) {
      E.fail(pos(), E.E_EXPECTED_SET_SEP);
      return null;
    }
  }
  p++;
  return setLeaf(op, key, values);
}
