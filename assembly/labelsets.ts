// labelsets.ts: label sets kept in the core, addressed from JS by integer handles: an endpoint's
// labels (and its parents') are interned and sorted once, then matched against any number of
// selectors without crossing again.
import { setSubject } from './eval';
import { Marks, markRange, sortPairs } from './strings';

/** LabelSet is one subject of evaluation: own pairs sorted by key, then each parent's. */
export class LabelSet {
  own: StaticArray<i32>;
  ids: StaticArray<i32>;
  parents: Array<StaticArray<i32>>;

  constructor(flat: StaticArray<i32>, counts: StaticArray<i32>) {
    const n = counts.length;
    this.own = n > 0 ? sortPairs(flat, 0, counts[0]) : new StaticArray<i32>(0);
    let at = n > 0 ? counts[0] * 2 : 0;
    this.parents = new Array<StaticArray<i32>>();
    this.ids = new StaticArray<i32>(max(n - 1, 0));
    for (let i = 1; i < n; i++) {
      this.parents.push(sortPairs(flat, at, counts[i]));
      this.ids[i - 1] = i - 1;
      at += counts[i] * 2;
    }
  }

  /** subject makes this set the one a program reads. */
  subject(): void {
    setSubject(this.own, this.ids, this.parents);
  }
}

const sets = new Array<LabelSet | null>();
const freeSlots = new Array<i32>();

/** addLabelSet stores a label set and returns its handle (slots are reused after release). */
export function addLabelSet(s: LabelSet): i32 {
  if (freeSlots.length > 0) {
    const h = freeSlots.pop();
    sets[h] = s;
    return h;
  }
  sets.push(s);
  return sets.length - 1;
}

/** getLabelSet returns the set of handle h; an unknown handle aborts (a bug in core/). */
export function getLabelSet(h: i32): LabelSet {
  assert(h >= 0 && h < sets.length, 'unknown label set handle');
  const s = sets[h];
  assert(s != null, 'label set handle already released');
  return s!;
}

/** releaseLabelSet frees handle h. */
export function releaseLabelSet(h: i32): void {
  getLabelSet(h);
  sets[h] = null;
  freeSlots.push(h);
}

/** markLabelSets marks the label and value ids of every live label set (sweep.ts). */
export function markLabelSets(m: Marks): void {
  for (let h = 0; h < sets.length; h++) {
    const s = unchecked(sets[h]);
    if (s == null) continue;
    markRange(m, s.own, 0, s.own.length);
    for (let i = 0; i < s.parents.length; i++) markRange(m, s.parents[i], 0, s.parents[i].length);
  }
}
