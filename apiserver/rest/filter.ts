// filter.ts: the object filter of a list or watch request: namespace scope, label selector
// (evaluated by the WASM core) and field selectors.
import type { Entry } from '../store/entry.js';
import type { KObject } from '../types.js';
import type { Reader } from './resource.js';
import { labelSelectorToCalico, parseFieldSelector } from './selectors.js';

/** LabelMatcher tests labels; built by the WASM core from a Calico selector, disposed after use. */
export interface LabelMatcher {
  matches(labels: Readonly<Record<string, string>>): boolean;
  dispose(): void;
}

/** SelectorCompiler compiles a Calico selector into a LabelMatcher (throws StatusError if invalid). */
export type SelectorCompiler = (calicoSelector: string) => LabelMatcher;

/** Filter is a compiled request filter; `trivial` means it passes every object in scope. */
export interface Filter {
  namespace?: string;
  trivial: boolean;
  matches(obj: KObject): boolean;
  /** admits is matches for a stored entry; a trivial filter decides by the key, without decoding. */
  admits(e: Entry): boolean;
  /** dispose releases the compiled selector; call it when the request ends. */
  dispose(): void;
}

const BASE_FIELDS: Record<string, (o: KObject) => string | readonly string[]> = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace ?? '',
};

/** buildFilter compiles the namespace, labelSelector and fieldSelector of a request. */
export function buildFilter(
  reader: Reader,
  query: URLSearchParams,
  namespace: string | undefined,
  compile: SelectorCompiler,
): Filter {
  const fields = { ...BASE_FIELDS, ...reader.fields };
  const reqs = parseFieldSelector(query.get('fieldSelector') ?? '', Object.keys(fields));
  const ls = (query.get('labelSelector') ?? '').trim();
  const labelMatch = ls ? compile(labelSelectorToCalico(ls)) : undefined;
  const getters = reqs.map((r) => ({ get: fields[r.field]!, ...r }));
  const matches = (obj: KObject): boolean => {
    if (namespace !== undefined && obj.metadata.namespace !== namespace) return false;
    for (const g of getters) {
      const v = g.get(obj);
      const equal = typeof v === 'string' ? v === g.value : v.includes(g.value);
      if (equal !== (g.op === '=')) return false;
    }
    return labelMatch ? labelMatch.matches(obj.metadata.labels ?? {}) : true;
  };
  const dispose = (): void => labelMatch?.dispose();
  const trivial = reqs.length === 0 && !labelMatch;
  const inScope = namespace === undefined ? () => true : (e: Entry) => e.key.startsWith(`${namespace}/`);
  const admits = trivial ? inScope : (e: Entry) => matches(e.obj);
  const result: Filter = { trivial, matches, admits, dispose };
  if (namespace !== undefined) result.namespace = namespace;
  return result;
}
