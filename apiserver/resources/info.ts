// info.ts: a served resource's discovery names, from its names in api/.
import type { ResourceNames } from '../../api/index.js';
import type { Info } from '../rest/resource.js';

/** resourceInfo returns the discovery Info of a resource; mesh resources list in category "mesh". */
export function resourceInfo(n: ResourceNames, categories: string[] = ['mesh']): Info {
  const info: Info = {
    plural: n.plural,
    singular: n.singular,
    kind: n.kind,
    listKind: `${n.kind}List`,
    namespaced: n.namespaced,
  };
  if (n.shortNames.length) info.shortNames = [...n.shortNames];
  if (categories.length) info.categories = categories;
  return info;
}
