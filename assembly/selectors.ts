// selectors.ts: the table of parsed selectors, addressed from JS by integer handles.
import { Node } from './ast';
import { Restrictions, restrictionsOf } from './restrictions';
import { compileProgram, markProgram, run } from './program';
import { Marks, compile } from './strings';

const NO_CODE = new StaticArray<i32>(0);
const NO_NEEDLES = new Array<string>(0);

/** Selector is a parsed selector with its lazily computed compiled form and restrictions. */
export class Selector {
  root: Node;
  compiled: bool = false;
  restrictions: Restrictions | null = null;

  constructor(root: Node) {
    this.root = root;
  }

  /** compiled returns the tree with interned ids, interning on first use only. */
  tree(): Node {
    if (!this.compiled) {
      compile(this.root);
      this.compiled = true;
    }
    return this.root;
  }

  /** limits returns the label restrictions, computed once. */
  limits(): Restrictions {
    let r = this.restrictions;
    if (r == null) {
      r = restrictionsOf(this.root);
      this.restrictions = r;
    }
    return r;
  }
}

const table = new Array<Selector | null>();
// The programs by handle, beside the table: evaluating many selectors (evalPairs) reads a program
// straight from here instead of through its Selector object, one cache miss less per selector.
const codes = new Array<StaticArray<i32>>(); // NO_CODE until the program is built
const needleTable = new Array<Array<string>>();
const freeSlots = new Array<i32>();
let live: i32 = 0;

/** addSelector stores a parsed tree and returns its handle (slots are reused after release). */
export function addSelector(root: Node): i32 {
  const s = new Selector(root);
  live++;
  if (freeSlots.length > 0) {
    const h = freeSlots.pop();
    table[h] = s;
    return h;
  }
  table.push(s);
  codes.push(NO_CODE);
  needleTable.push(NO_NEEDLES);
  return table.length - 1;
}

/** getSelector returns the selector of handle h; an unknown handle aborts (a bug in core/). */
export function getSelector(h: i32): Selector {
  assert(h >= 0 && h < table.length, 'unknown selector handle');
  const s = table[h];
  assert(s != null, 'selector handle already released');
  return s!;
}

/** releaseSelector frees handle h so the GC can collect its tree. */
export function releaseSelector(h: i32): void {
  getSelector(h);
  table[h] = null;
  codes[h] = NO_CODE;
  needleTable[h] = NO_NEEDLES;
  freeSlots.push(h);
  live--;
}

/** liveSelectors counts the handles not yet released (tests check nothing leaks). */
export function liveSelectors(): i32 {
  return live;
}

/** markSelectors marks the ids every live selector's program compares (sweep.ts). A tree is
 * interned only when its program is built (programCode), so the programs hold all its ids. */
export function markSelectors(m: Marks): void {
  for (let h = 0; h < table.length; h++) if (unchecked(table[h]) != null) markProgram(m, unchecked(codes[h]));
}

/** programCode returns the code of selector h's compiled program (program.ts), built from its
 * interned tree on first use. */
export function programCode(h: i32): StaticArray<i32> {
  assert(h >= 0 && h < codes.length, 'unknown selector handle');
  let code = unchecked(codes[h]);
  if (code.length == 0) {
    const p = compileProgram(getSelector(h).tree());
    code = p.code;
    codes[h] = code;
    needleTable[h] = p.needles;
  }
  return code;
}

/** programNeedles returns the strings selector h's program tests for (after programCode). */
export function programNeedles(h: i32): Array<string> {
  return needleTable[h];
}

/** runSelector evaluates selector handle h against the current subject (eval.ts setSubject). */
export function runSelector(h: i32): bool {
  const code = programCode(h);
  return run(code, unchecked(needleTable[h]));
}
