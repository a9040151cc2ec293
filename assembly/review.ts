// review.ts: one-off evaluation of a selector against a label index (SelectorReview), read-only and
// in steps. A review files nothing and interns nothing: its tree is probed (strings never seen
// cannot match), its candidates are collected once, and the host evaluates them a bounded number
// at a time, yielding to its event loop in between, so no selector can hold the core for long.
import { Node } from './ast';
import { Program, compileProgram, markProgram, run } from './program';
import { LabelIndex } from './labelindex';
import { collectEndpoints } from './scan';
import { getSelector } from './selectors';
import { Marks, lookupId, probe } from './strings';

/** Review is one review in progress: its tree, its candidate endpoints and how far it has got. */
class Review {
  ix: LabelIndex;
  code: StaticArray<i32>; // the probed selector's program (program.ts)
  needles: Array<string>;
  cands: StaticArray<i32>;
  next: i32 = 0;
  cost: i32;

  constructor(ix: LabelIndex, prog: Program, cands: StaticArray<i32>, cost: i32) {
    this.ix = ix;
    this.code = prog.code;
    this.needles = prog.needles;
    this.cands = cands;
    this.cost = cost;
  }
}

const reviews = new Array<Review | null>();
const freeReviews = new Array<i32>();

/** startReview probes selector handle sel, collects its candidates in ix and returns a review handle. */
export function startReview(ix: LabelIndex, sel: i32): i32 {
  const s = getSelector(sel);
  probe(s.root);
  s.compiled = false; // the probed ids are not interned ids: tree() must compile again
  const r = s.limits();
  let cands = new StaticArray<i32>(0);
  if (!r.impossible) {
    const eps = collectEndpoints(ix, r, lookupId);
    cands = new StaticArray<i32>(eps.length);
    for (let i = 0; i < eps.length; i++) unchecked((cands[i] = eps[i]));
    eps.length = 0;
  }
  const rv = new Review(ix, compileProgram(s.root), cands, countNodes(s.root));
  if (freeReviews.length > 0) {
    const h = freeReviews.pop();
    reviews[h] = rv;
    return h;
  }
  reviews.push(rv);
  return reviews.length - 1;
}

/** review returns review handle h; an unknown handle aborts (a bug in core/). */
export function review(h: i32): Review {
  assert(h >= 0 && h < reviews.length && reviews[h] != null, 'unknown review handle');
  return reviews[h]!;
}

/** stepReview evaluates up to max more candidates of review h and returns the matching slots.
 * A candidate removed since the review started is skipped; a slot reused since is evaluated as
 * it is now (the review reports endpoints that matched while it ran). */
export function stepReview(h: i32, max: i32): Int32Array {
  const rv = review(h);
  const ix = rv.ix;
  const end = min(rv.cands.length, rv.next + max);
  const hits = new Array<i32>();
  for (let i = rv.next; i < end; i++) {
    const e = unchecked(rv.cands[i]);
    if (e >= ix.endpoints.length) continue;
    const rec = ix.endpoints[e];
    if (rec == null) continue;
    ix.subject(rec);
    if (run(rv.code, rv.needles)) hits.push(e);
  }
  rv.next = end;
  const out = new Int32Array(hits.length);
  for (let i = 0; i < hits.length; i++) unchecked((out[i] = hits[i]));
  return out;
}

/** endReview releases review h. */
export function endReview(h: i32): void {
  review(h);
  reviews[h] = null;
  freeReviews.push(h);
}

/** markReviews marks the ids the programs of reviews in progress compare (sweep.ts): a review
 * spans many calls, and an id it probed must keep its string until it ends. */
export function markReviews(m: Marks): void {
  for (let h = 0; h < reviews.length; h++) {
    const rv = unchecked(reviews[h]);
    if (rv != null) markProgram(m, rv.code);
  }
}

/** countNodes returns the number of nodes of tree n: the most an evaluation visits. */
export function countNodes(n: Node): i32 {
  const kids = n.kids;
  if (kids == null) return 1;
  let c = 1;
  for (let i = 0; i < kids.length; i++) c += countNodes(kids[i]);
  return c;
}
