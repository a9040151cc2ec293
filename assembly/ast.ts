// ast.ts: the selector syntax tree and its canonical string form (Calico's String()).
import { compareCodePoints } from './chars';

/** Op lists the node kinds of a selector. */
export const enum Op {
  All,
  Global,
  Has,
  Eq,
  Ne,
  In,
  NotIn,
  Contains,
  StartsWith,
  EndsWith,
  Not,
  And,
  Or,
}

/** Node is one selector node; leaves carry a label (key) and value(s), Not/And/Or carry kids. */
export class Node {
  kind: i32;
  key: string = '';
  value: string = '';
  values: Array<string> | null = null;
  kids: Array<Node> | null = null;
  /** negations is how many '!' a Not node stands for: `!(!(x))` is one node over x, so no chain of
   * negations deepens the tree (what it prints and how it evaluates depend on the count). */
  negations: i32 = 1;
  /** depth is how many Not/And/Or levels the subtree has (0 for a leaf): what recursion over it needs. */
  depth: i32 = 0;
  // Interned forms, filled by compile() before the node is evaluated (strings.ts).
  keyId: i32 = -1;
  valueId: i32 = -1;
  valueIds: StaticArray<i32> | null = null;

  constructor(kind: i32) {
    this.kind = kind;
  }
}

/** leaf builds a label comparison node. */
export function leaf(kind: i32, key: string, value: string): Node {
  const n = new Node(kind);
  n.key = key;
  n.value = value;
  return n;
}

/** setLeaf builds an in/not in node; the values are sorted (as Go sorts strings) and de-duplicated. */
export function setLeaf(kind: i32, key: string, values: Array<string>): Node {
  values.sort((a: string, b: string): i32 => compareCodePoints(a, b));
  const uniq = new Array<string>();
  for (let i = 0; i < values.length; i++) {
    if (i == 0 || values[i] != values[i - 1]) uniq.push(values[i]);
  }
  const n = new Node(kind);
  n.key = key;
  n.values = uniq;
  return n;
}

/** negated returns n under one more negation: a Not node counts one more. */
export function negated(n: Node): Node {
  if (n.kind == Op.Not) {
    n.negations++;
    return n;
  }
  return parent(Op.Not, [n]);
}

/** parent builds a Not, And or Or node. */
export function parent(kind: i32, kids: Array<Node>): Node {
  const n = new Node(kind);
  n.kids = kids;
  let d = 0;
  for (let i = 0; i < kids.length; i++) d = max(d, unchecked(kids[i]).depth);
  n.depth = d + 1;
  return n;
}

/** canonical returns the canonical string of n, byte for byte what Calico's String() prints. */
export function canonical(n: Node): string {
  const out = new Array<string>();
  write(n, out);
  return out.join('');
}

// keyPrefix is prepended to every label name while printing (Calico's PrefixVisitor); empty for
// the canonical form.
let keyPrefix = '';

/** canonicalPrefixed is canonical with every label name prefixed, e.g. "pcns." to turn a namespace
 * selector into one over namespace labels as an endpoint sees them. */
export function canonicalPrefixed(n: Node, prefix: string): string {
  keyPrefix = prefix;
  const s = canonical(n);
  keyPrefix = '';
  return s;
}

// quote uses double quotes unless the value contains one (values have no escapes).
function quote(v: string): string {
  return v.includes('"') ? "'" + v + "'" : '"' + v + '"';
}

// write appends the canonical form of n to out (an array, so long selectors stay linear).
function write(n: Node, out: Array<string>): void {
  switch (n.kind) {
    case Op.All:
      out.push('all()');
      return;
    case Op.Global:
      out.push('global()');
      return;
    case Op.Has:
      out.push('has(' + keyPrefix + n.key + ')');
      return;
    case Op.Eq:
      out.push(keyPrefix + n.key + ' == ' + quote(n.value));
      return;
    case Op.Ne:
      out.push(keyPrefix + n.key + ' != ' + quote(n.value));
      return;
    case Op.Contains:
      out.push(keyPrefix + n.key + ' contains ' + quote(n.value));
      return;
    case Op.StartsWith:
      out.push(keyPrefix + n.key + ' starts with ' + quote(n.value));
      return;
    case Op.EndsWith:
      out.push(keyPrefix + n.key + ' ends with ' + quote(n.value));
      return;
    case Op.In:
      writeSet(n, ' in {', out);
      return;
    case Op.NotIn:
      writeSet(n, ' not in {', out);
      return;
    case Op.Not:
      out.push('!'.repeat(n.negations));
      write(n.kids![0], out);
      return;
  }
  writeJunction(n, n.kind == Op.And ? ' && ' : ' || ', out);
}

function writeSet(n: Node, op: string, out: Array<string>): void {
  out.push(keyPrefix + n.key + op);
  const vs = n.values!;
  for (let i = 0; i < vs.length; i++) {
    if (i > 0) out.push(', ');
    out.push(quote(vs[i]));
  }
  out.push('}');
}

function writeJunction(n: Node, sep: string, out: Array<string>): void {
  const kids = n.kids!;
  out.push('(');
  for (let i = 0; i < kids.length; i++) {
    if (i > 0) out.push(sep);
    write(kids[i], out);
  }
  out.push(')');
}
