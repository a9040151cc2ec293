// program.ts: a selector compiled to one flat array of ints and evaluated in place. A tree of Node
// objects is scattered over the heap: matching one of many selectors (each cold in the cache) paid a
// cache miss per node. A program is contiguous, a few ints per node, so a typical selector is one
// or two cache lines. Layout, each node starting with its op (ast.ts Op):
//   All, Global                      [op]
//   Has                              [op, key]
//   Eq, Ne                           [op, key, value]
//   Contains, StartsWith, EndsWith   [op, key, needle]      needle: index into the program's needles
//   In, NotIn                        [op, key, n, v1..vn]   values sorted, binary searched
//   Not                              [op, size, negate]     then the child; negate: odd negations
//   And, Or                          [op, size, n]          then the n children
// size is the node's length in ints, child included, so a short-circuit skips a subtree at once.
import { Node, Op } from './ast';
import { lookup } from './eval';
import { Marks, mark, strings } from './strings';

/** Program is a compiled selector: its code and the strings its substring tests look for. Holders
 * keep the two fields themselves, so evaluation follows one pointer less. */
export class Program {
  code: StaticArray<i32>;
  needles: Array<string>;

  constructor(code: StaticArray<i32>, needles: Array<string>) {
    this.code = code;
    this.needles = needles;
  }
}

const out = new Array<i32>(); // scratch while compiling (the core is single-threaded)

/** compileProgram compiles a tree whose ids are resolved (strings.ts compile or probe). */
export function compileProgram(root: Node): Program {
  out.length = 0;
  const needles = new Array<string>();
  emit(root, needles);
  return new Program(StaticArray.fromArray<i32>(out), needles);
}

function emit(n: Node, needles: Array<string>): void {
  const at = out.length;
  out.push(n.kind);
  switch (n.kind) {
    case Op.All:
    case Op.Global:
      return;
    case Op.Not:
      out.push(0);
      out.push(n.negations & 1);
      emit(n.kids![0], needles);
      out[at + 1] = out.length - at;
      return;
    case Op.And:
    case Op.Or: {
      const kids = n.kids!;
      out.push(0);
      out.push(kids.length);
      for (let i = 0; i < kids.length; i++) emit(kids[i], needles);
      out[at + 1] = out.length - at;
      return;
    }
  }
  out.push(n.keyId);
  if (n.kind == Op.Has) return;
  if (n.kind == Op.In || n.kind == Op.NotIn) {
    const vs = n.valueIds!;
    out.push(vs.length);
    for (let i = 0; i < vs.length; i++) out.push(vs[i]);
  } else if (n.kind == Op.Eq || n.kind == Op.Ne) {
    out.push(n.valueId);
  } else {
    out.push(needles.length);
    needles.push(n.value);
  }
}

/** markProgram marks every label and value id the program compares (sweep.ts), walking the code in
 * order: no recursion, however deep the selector. */
export function markProgram(m: Marks, code: StaticArray<i32>): void {
  let pc = 0;
  while (pc < code.length) {
    const op = unchecked(code[pc]);
    if (op == Op.All || op == Op.Global) {
      pc++;
      continue;
    }
    if (op == Op.Not || op == Op.And || op == Op.Or) {
      pc += 3; // the children follow
      continue;
    }
    mark(m, unchecked(code[pc + 1]));
    if (op == Op.Eq || op == Op.Ne) mark(m, unchecked(code[pc + 2]));
    if (op == Op.In || op == Op.NotIn) {
      const n = unchecked(code[pc + 2]);
      for (let i = 0; i < n; i++) mark(m, unchecked(code[pc + 3 + i]));
    }
    pc += sizeAt(code, pc);
  }
}

/** run reports whether the program (code, needles) matches the current subject (eval.ts setSubject). */
export function run(code: StaticArray<i32>, needles: Array<string>): bool {
  return at(code, needles, 0);
}

// at evaluates the node at pc.
function at(code: StaticArray<i32>, needles: Array<string>, pc: i32): bool {
  const op = unchecked(code[pc]);
  switch (op) {
    case Op.All:
    case Op.Global:
      return true;
    case Op.Not:
      return at(code, needles, pc + 3) != (unchecked(code[pc + 2]) != 0);
    case Op.And: {
      let c = pc + 3;
      for (let i = 0, n = unchecked(code[pc + 2]); i < n; i++) {
        if (!at(code, needles, c)) return false;
        c += sizeAt(code, c);
      }
      return true;
    }
    case Op.Or: {
      let c = pc + 3;
      for (let i = 0, n = unchecked(code[pc + 2]); i < n; i++) {
        if (at(code, needles, c)) return true;
        c += sizeAt(code, c);
      }
      return false;
    }
  }
  return leaf(code, needles, pc, op, lookup(unchecked(code[pc + 1])));
}

// leaf applies the comparison at pc to the label's value id v (-1: missing, see selectors.md 2.3).
function leaf(code: StaticArray<i32>, needles: Array<string>, pc: i32, op: i32, v: i32): bool {
  switch (op) {
    case Op.Has:
      return v >= 0;
    case Op.Eq:
      return v == unchecked(code[pc + 2]);
    case Op.Ne:
      return v != unchecked(code[pc + 2]);
    case Op.In:
      return v >= 0 && search(code, pc + 3, unchecked(code[pc + 2]), v);
    case Op.NotIn:
      return v < 0 || !search(code, pc + 3, unchecked(code[pc + 2]), v);
  }
  if (v < 0) return false;
  const s = unchecked(strings[v]);
  const needle = unchecked(needles[unchecked(code[pc + 2])]);
  if (op == Op.Contains) return s.includes(needle);
  if (op == Op.StartsWith) return s.startsWith(needle);
  return s.endsWith(needle);
}

// sizeAt is the length in ints of the node at pc.
function sizeAt(code: StaticArray<i32>, pc: i32): i32 {
  switch (unchecked(code[pc])) {
    case Op.All:
    case Op.Global:
      return 1;
    case Op.Has:
      return 2;
    case Op.In:
    case Op.NotIn:
      return 3 + unchecked(code[pc + 2]);
    case Op.Not:
    case Op.And:
    case Op.Or:
      return unchecked(code[pc + 1]);
  }
  return 3;
}

// search reports whether the n sorted ints at code[from..] hold x.
function search(code: StaticArray<i32>, from: i32, n: i32, x: i32): bool {
  let lo = from;
  let hi = from + n - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = unchecked(code[mid]);
    if (v == x) return true;
    if (v < x) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
