// placement.ts: where a selector is filed in the restriction index (Calico's LabelRestrictionIndex):
// under its most restrictive label's values, under "label present", or in the always-checked set.
import { Node } from './ast';
import { Restrictions } from './restrictions';
import { intern } from './strings';

/** Place lists the ways a selector can be filed. */
export const enum Place {
  Impossible, // never matches: not filed, never evaluated
  Values, // filed under (key, value) for each allowed value
  Present, // filed under key: every endpoint with the label is a candidate
  Unoptimised, // no usable restriction: checked against every changed endpoint
  Tested, // filed under key with value tests: endpoints whose value passes them are candidates
}

/** Placement is the chosen filing of one selector. */
export class Placement {
  place: i32 = Place.Unoptimised;
  key: i32 = -1;
  values: StaticArray<i32> = new StaticArray<i32>(0);
  preds: Array<Node> | null = null; // Tested: what the value must pass (restrictions.ts acceptsValue)
}

/** choosePlacement prefers a label whose values the selector lists: `listed` if given (the one
 * the fewest endpoints hold), else the one with the fewest values; then a required label whose
 * values are tested (prefix, suffix, substring); then any required label. */
export function choosePlacement(r: Restrictions, listed: string | null = null): Placement {
  const out = new Placement();
  if (r.impossible) {
    out.place = Place.Impossible;
    return out;
  }
  const keys = r.map.keys();
  let best = -1;
  let bestCount = i32.MAX_VALUE;
  let present = -1;
  let tested = -1;
  for (let i = 0; i < keys.length; i++) {
    const x = r.map.get(keys[i]);
    const vs = x.values;
    if (vs != null && vs.length < bestCount) {
      best = i;
      bestCount = vs.length;
    }
    if (x.present && present < 0) present = i;
    if (x.present && x.preds != null && tested < 0) tested = i;
  }
  if (listed != null && r.map.has(listed) && r.map.get(listed).values != null) {
    return valuesPlacement(listed, r.map.get(listed).values!);
  }
  if (best >= 0) return valuesPlacement(keys[best], r.map.get(keys[best]).values!);
  if (tested >= 0) {
    out.place = Place.Tested;
    out.key = intern(keys[tested]);
    out.preds = r.map.get(keys[tested]).preds;
  } else if (present >= 0) {
    out.place = Place.Present;
    out.key = intern(keys[present]);
  }
  return out;
}

function valuesPlacement(key: string, values: Array<string>): Placement {
  const out = new Placement();
  out.place = Place.Values;
  out.key = intern(key);
  out.values = new StaticArray<i32>(values.length);
  for (let i = 0; i < values.length; i++) out.values[i] = intern(values[i]);
  return out;
}
