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
  used = 0;
  write(n);
  return String.UTF16.decodeUnsafe(changetype<usize>(buf), (<usize>used) << 1);
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

// The printer writes UTF-16 into one reused buffer and makes a single string at the end: building
// the form from concatenated pieces allocated several strings per node.
let buf = new StaticArray<u16>(256);
let used = 0;

// put appends s to the buffer.
function put(s: string): void {
  const n = s.length;
  if (used + n > buf.length) {
    let cap = buf.length << 1;
    while (cap < used + n) cap <<= 1;
    const grown = new StaticArray<u16>(cap);
    memory.copy(changetype<usize>(grown), changetype<usize>(buf), (<usize>used) << 1);
    buf = grown;
  }
  memory.copy(changetype<usize>(buf) + ((<usize>used) << 1), changetype<usize>(s), (<usize>n) << 1);
  used += n;
}

// quote writes v in double quotes unless it contains one (values have no escapes).
function quote(v: string): void {
  const q = v.includes('"') ? "'" : '"';
  put(q);
  put(v);
  put(q);
}

// comparison writes `key op "value"`.
function comparison(n: Node, op: string): void {
  put(keyPrefix);
  put(n.key);
  put(op);
  quote(n.value);
}

// write appends the canonical form of n to the buffer.
function write(n: Node): void {
  switch (n.kind) {
    case Op.All:
      put('all()');
      return;
    case Op.Global:
      put('global()');
      return;
    case Op.Has:
      put('has(');
      put(keyPrefix);
      put(n.key);
      put(')');
      return;
    case Op.Eq:
      comparison(n, ' == ');
      return;
    case Op.Ne:
      comparison(n, ' != ');
      return;
    case Op.Contains:
      comparison(n, ' contains ');
      return;
    case Op.StartsWith:
      comparison(n, ' starts with ');
      return;
    case Op.EndsWith:
      comparison(n, ' ends with ');
      return;
    case Op.In:
      writeSet(n, ' in {');
      return;
    case Op.NotIn:
      writeSet(n, ' not in {');
      return;
    case Op.Not:
      for (let i = 0; i < n.negations; i++) put('!');
      write(n.kids![0]);
      return;
  }
  writeJunction(n, n.kind == Op.And ? ' && ' : ' || ');
}

function writeSet(n: Node, op: string): void {
  put(keyPrefix);
  put(n.key);
  put(op);
  const vs = n.values!;
  for (let i = 0; i < vs.length; i++) {
    if (i > 0) put(', ');
    quote(vs[i]);
  }
  put('}');
}

function writeJunction(n: Node, sep: string): void {
  const kids = n.kids!;
  put('(');
  for (let i = 0; i < kids.length; i++) {
    if (i > 0) put(sep);
    write(kids[i]);
  }
  put(')');
}
