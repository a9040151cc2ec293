// parser.ts: parser of the selector language (grammar in selectors.md 2.2): recursive descent
// within an operand, an explicit stack for parentheses, so no input can exhaust the call stack.
import { Node, Op, leaf, negated, parent, setLeaf } from './ast';
import * as E from './errors';
import { Tok, Tokens, isBlankOnly, tokenize } from './tokenizer';

// One token buffer and cursor, reused by every parse (the core is single-threaded).
const toks = new Tokens();

// MAX_DEPTH bounds how deep &&, || and ! nest (Node.depth): evaluating, printing and indexing a
// selector recurse over its tree, and the stack they share with their callers is small (a tree of
// about 4,000 levels can exhaust it, which stops the core for good). 512 levels take about a tenth
// of it. Parentheses that only group leave no level and are not limited.
const MAX_DEPTH: i32 = 512;
let p: i32 = 0;

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

// Group is one open level of the expression: the whole selector or a parenthesized group. It
// collects the operands of the current && run and the finished runs of the enclosing ||.
class Group {
  ors: Array<Node> = [];
  ands: Array<Node> = [];
  constructor(
    public negate: bool, // the parity of the !s before the group's '('
    public at: i32, // where its '(' is (-1: the whole selector)
  ) {}

  // close returns the group's expression: its || of && runs, each of one operand kept as is.
  close(): Node {
    this.endAnd();
    const ors = this.ors;
    return ors.length == 1 ? unchecked(ors[0]) : parent(Op.Or, ors);
  }

  endAnd(): void {
    const ands = this.ands;
    this.ors.push(ands.length == 1 ? unchecked(ands[0]) : parent(Op.And, ands));
    this.ands = [];
  }
}

// parseOr reads an or-expression up to EOF or an unmatched ')'. Parentheses open a Group on a
// stack of its own instead of recursing, so nesting is bounded only by the input's length.
function parseOr(): Node | null {
  const open: Array<Group> = [new Group(false, -1)];
  for (;;) {
    // An operand: "!"* then a primary, or "(" opening a group.
    let negate = false;
    while (kind() == Tok.Not) {
      negate = !negate;
      p++;
    }
    if (kind() == Tok.LParen) {
      open.push(new Group(negate, pos()));
      p++;
      continue;
    }
    let n = parsePrimary();
    if (n == null) return null;
    if (negate) n = negated(n!);
    // After an operand: && continues the run, || ends it, ')' closes the innermost group.
    for (;;) {
      let g = open[open.length - 1];
      g.ands.push(n!);
      const k = kind();
      if (k == Tok.And || k == Tok.Or) {
        if (k == Tok.Or) g.endAnd();
        p++;
        break;
      }
      if (open.length == 1) return deepest(g.close(), 0); // EOF or trailing content: parse() decides
      if (k != Tok.RParen) {
        E.fail(pos(), E.E_EXPECTED_RPAREN);
        return null;
      }
      p++;
      open.pop();
      n = g.close();
      if (g.negate) n = negated(n!);
      if (deepest(n, g.at) == null) return null;
    }
  }
  return null; // not reached: every path above returns or loops
}

// deepest returns n, or null with an error at `at` when its operators nest deeper than MAX_DEPTH.
function deepest(n: Node | null, at: i32): Node | null {
  if (n != null && n.depth > MAX_DEPTH) {
    E.fail(at, E.E_TOO_DEEP);
    return null;
  }
  return n;
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
