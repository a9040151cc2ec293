// selectors.ts: the table of parsed selectors, addressed from JS by integer handles.
import { Node } from './ast';
import { Restrictions, restrictionsOf } from './restrictions';
import { compile } from './strings';

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
  freeSlots.push(h);
  live--;
}

/** liveSelectors counts the handles not yet released (tests check nothing leaks). */
export function liveSelectors(): i32 {
  return live;
}
