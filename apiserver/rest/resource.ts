// resource.ts: what a served resource declares. A resource says which capabilities it has
// (reading from a store, converting to a Table, creating) and the generic REST layer does the rest;
// the HTTP layer never knows a resource by name.
import type { UserInfo } from '../auth/types.js';
import type { Store } from '../store/store.js';
import type { KObject, RequestObject } from '../types.js';

/** ColumnDefinition is a meta.k8s.io Table column. */
export interface ColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  priority: number;
}

/** Info names a resource for discovery, OpenAPI and messages. */
export interface Info {
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
}

/** Reader serves get, list and watch from a store. */
export interface Reader<T extends KObject = KObject> {
  store: Store<T>;
  /**
   * Extra field selectors beyond metadata.name and metadata.namespace, with their value getters.
   * A list-valued field matches `f=v` when any value equals v, and `f!=v` when none does.
   */
  fields?: Record<string, (obj: T) => string | readonly string[]>;
}

/** TableConvertor renders objects as Table rows for kubectl. */
export interface TableConvertor<T extends KObject = KObject> {
  columns: ColumnDefinition[];
  /** cells returns one row's cells, in column order; now is for AGE-like columns. */
  cells(obj: T, now: number): unknown[];
}

/** Access names what a caller may do on a resource of this API group (verb, plural, namespace). */
export interface Access {
  verb: string;
  resource: string;
  /** Absent: across all namespaces (or a cluster-scoped resource). */
  namespace?: string;
}

/** CreateContext is what a Creator knows about the request. */
export interface CreateContext {
  user: UserInfo;
  dryRun: boolean;
  /** can asks the authorizer whether the caller may do a; resources that filter by access use it. */
  can: (a: Access) => Promise<boolean>;
}

/** Creator handles POST of a new object (validated shape is the creator's job). */
export interface Creator {
  create(obj: RequestObject, ctx: CreateContext): Promise<KObject>;
}

/** Resource is a served resource: its names plus the capabilities it implements. */
export interface Resource<T extends KObject = KObject> {
  info: Info;
  reader?: Reader<T>;
  table?: TableConvertor<T>;
  creator?: Creator;
}

/**
 * defineResource erases a resource's object type for the generic layer, which hands each resource
 * only objects of its own store (function parameters are contravariant, so the types need the help).
 */
export const defineResource = <T extends KObject>(r: Resource<T>): Resource => r as unknown as Resource;

/** verbsOf lists the Kubernetes verbs a resource supports, as discovery advertises them. */
export function verbsOf(r: Resource): string[] {
  const verbs: string[] = [];
  if (r.creator) verbs.push('create');
  if (r.reader) verbs.push('get', 'list', 'watch');
  return verbs;
}
