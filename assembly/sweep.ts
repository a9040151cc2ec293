// sweep.ts: frees the interned strings nothing holds any more. Label values come and go with
// endpoints (a Job's controller-uid, a ReplicaSet's pod-template-hash, a counter), so without a
// sweep the table would grow for as long as the process runs. A sweep marks every id a holder
// keeps (endpoint records and parents of every index, indexed selectors and their filing, parsed
// selectors, label sets, reviews in progress) and frees the rest. Freed ids are handed out again,
// so the mark must be complete: a missed holder would compare against another string.
//
// The host sweeps only between calls that hand it ids (core/interner.ts): an id it has been given
// is always held by the core before the next sweep.
import { markIndexes } from './indexapi';
import { markLabelSets } from './labelsets';
import { markReviews } from './review';
import { markSelectors } from './selectors';
import { freeUnmarked, internedCount, newMarks } from './strings';

/** sweepStrings frees every interned string no holder keeps and returns [strings still interned,
 * then each freed id]. */
export function sweepStrings(): Int32Array {
  const m = newMarks();
  markIndexes(m);
  markSelectors(m);
  markLabelSets(m);
  markReviews(m);
  const freed = freeUnmarked(m);
  const out = new Int32Array(freed.length + 1);
  out[0] = internedCount();
  for (let i = 0; i < freed.length; i++) unchecked((out[i + 1] = freed[i]));
  return out;
}
