// paths.ts: the REST operations of each served resource, in one neutral form that documents.ts
// renders as OpenAPI v3 and as Swagger 2.0. Paths, operation IDs and x-kubernetes-action follow
// kube-apiserver's own documents, so kubectl explain and client generators treat ours alike.
import { GROUP, VERSION } from '../types.js';

/** ResourceOpenAPIInfo describes one served resource to the OpenAPI documents. */
export interface ResourceOpenAPIInfo {
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  /** Kubernetes verbs: get, list, watch, create, update, patch, delete, deletecollection. */
  verbs: string[];
}

/** ParamSpec is one path or query parameter. */
export interface ParamSpec {
  name: string;
  in: 'path' | 'query';
  type: 'string' | 'integer' | 'boolean';
  description: string;
  required?: boolean;
}

/** OperationSpec is one operation on one path, before rendering. */
export interface OperationSpec {
  path: string;
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  operationId: string;
  description: string;
  action: string;
  kind: string;
  params: ParamSpec[];
  /** Name of the kind whose schema is the request body, if any. */
  bodyKind?: string;
  /** Kind of the 200 (and 201/202 for writes) response; 'WatchEvent' for watches. */
  responseKind: string;
  produces: string[];
}

/** GROUP_PATH is the URL prefix of every served resource. */
export const GROUP_PATH = `/apis/${GROUP}/${VERSION}`;

const JSON_TYPES = ['application/json', 'application/yaml'];
const STREAM_TYPES = ['application/json', 'application/json;stream=watch'];
const OP_INFIX = 'FederatedMeshV1alpha1';

const q = (name: string, type: ParamSpec['type'], description: string): ParamSpec => ({
  name,
  in: 'query',
  type,
  description,
});
const PRETTY = q('pretty', 'string', "If 'true', the output is pretty printed.");
const NAME: ParamSpec = {
  name: 'name',
  in: 'path',
  type: 'string',
  required: true,
  description: 'name of the object',
};
const NAMESPACE: ParamSpec = {
  name: 'namespace',
  in: 'path',
  type: 'string',
  required: true,
  description: 'object name and auth scope, such as for teams and projects',
};
const LIST_PARAMS: ParamSpec[] = [
  q('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type BOOKMARK.'),
  q('continue', 'string', 'continue is the token of the previous page, to get the next one.'),
  q('fieldSelector', 'string', 'A selector to restrict the returned objects by their fields.'),
  q('labelSelector', 'string', 'A selector to restrict the returned objects by their labels.'),
  q('limit', 'integer', 'limit is the maximum number of objects to return; continue then pages on.'),
  q('resourceVersion', 'string', 'resourceVersion constrains what version the list may be served from.'),
  q('resourceVersionMatch', 'string', 'resourceVersionMatch says how resourceVersion applies to a list.'),
  q('sendInitialEvents', 'boolean', 'sendInitialEvents starts a watch with the current objects.'),
  q('timeoutSeconds', 'integer', 'Timeout for the list/watch call.'),
  q('watch', 'boolean', 'Watch for changes and return them as a stream of events.'),
];
const WRITE_PARAMS: ParamSpec[] = [
  q('dryRun', 'string', 'When present, the request is processed but nothing is persisted (All).'),
  q('fieldManager', 'string', 'fieldManager names the actor making the change.'),
  q('fieldValidation', 'string', 'fieldValidation is Ignore, Warn or Strict for unknown fields.'),
];

type Where = 'item' | 'collection' | 'allNamespaces' | 'watchItem' | 'watchCollection' | 'watchAllNamespaces';

/** OpTemplate is one row of the operation table: what a verb adds to a resource's paths. */
interface OpTemplate {
  verb: string;
  where: Where;
  method: OperationSpec['method'];
  /** Operation ID prefix and suffix around FederatedMeshV1alpha1[Namespaced]<Kind>. */
  id: [string, string];
  action: string;
  params: ParamSpec[];
  body?: 'kind' | 'Patch';
  response: 'kind' | 'listKind' | 'WatchEvent' | 'Status';
  stream?: boolean;
  description: string;
}

const DEPRECATED = 'Deprecated: use the watch parameter with a list operation instead.';

/** OPERATIONS is the table of operations per verb, in kube-apiserver's layout. */
const OPERATIONS: OpTemplate[] = [
  {
    verb: 'get',
    where: 'item',
    method: 'get',
    id: ['read', ''],
    action: 'get',
    params: [PRETTY],
    response: 'kind',
    description: 'read the specified KIND',
  },
  {
    verb: 'list',
    where: 'collection',
    method: 'get',
    id: ['list', ''],
    action: 'list',
    params: [PRETTY, ...LIST_PARAMS],
    response: 'listKind',
    stream: true,
    description: 'list or watch objects of kind KIND',
  },
  {
    verb: 'list',
    where: 'allNamespaces',
    method: 'get',
    id: ['list', 'ForAllNamespaces'],
    action: 'list',
    params: [PRETTY, ...LIST_PARAMS],
    response: 'listKind',
    stream: true,
    description: 'list or watch objects of kind KIND in all namespaces',
  },
  {
    verb: 'watch',
    where: 'watchCollection',
    method: 'get',
    id: ['watch', 'List'],
    action: 'watchlist',
    params: [PRETTY, ...LIST_PARAMS],
    response: 'WatchEvent',
    stream: true,
    description: `watch individual changes to a list of KIND. ${DEPRECATED}`,
  },
  {
    verb: 'watch',
    where: 'watchItem',
    method: 'get',
    id: ['watch', ''],
    action: 'watch',
    params: [PRETTY, ...LIST_PARAMS],
    response: 'WatchEvent',
    stream: true,
    description: `watch changes to an object of kind KIND. ${DEPRECATED}`,
  },
  {
    verb: 'watch',
    where: 'watchAllNamespaces',
    method: 'get',
    id: ['watch', 'ListForAllNamespaces'],
    action: 'watchlist',
    params: [PRETTY, ...LIST_PARAMS],
    response: 'WatchEvent',
    stream: true,
    description: `watch individual changes to a list of KIND in all namespaces. ${DEPRECATED}`,
  },
  {
    verb: 'create',
    where: 'collection',
    method: 'post',
    id: ['create', ''],
    action: 'post',
    params: [PRETTY, ...WRITE_PARAMS],
    body: 'kind',
    response: 'kind',
    description: 'create a KIND',
  },
  {
    verb: 'update',
    where: 'item',
    method: 'put',
    id: ['replace', ''],
    action: 'put',
    params: [PRETTY, ...WRITE_PARAMS],
    body: 'kind',
    response: 'kind',
    description: 'replace the specified KIND',
  },
  {
    verb: 'patch',
    where: 'item',
    method: 'patch',
    id: ['patch', ''],
    action: 'patch',
    params: [
      PRETTY,
      ...WRITE_PARAMS,
      q('force', 'boolean', 'Force re-acquires fields owned by other managers (apply only).'),
    ],
    body: 'Patch',
    response: 'kind',
    description: 'partially update the specified KIND',
  },
  {
    verb: 'delete',
    where: 'item',
    method: 'delete',
    id: ['delete', ''],
    action: 'delete',
    params: [PRETTY, q('dryRun', 'string', 'When present, nothing is persisted (All).')],
    response: 'Status',
    description: 'delete a KIND',
  },
  {
    verb: 'deletecollection',
    where: 'collection',
    method: 'delete',
    id: ['deletecollection', ''],
    action: 'deletecollection',
    params: [PRETTY, ...LIST_PARAMS.filter((p) => p.name !== 'watch')],
    response: 'Status',
    description: 'delete collection of KIND',
  },
];

/** pathOf returns the URL template of a location of r, with its path parameters; null if r has none there. */
function pathOf(r: ResourceOpenAPIInfo, where: Where): { path: string; params: ParamSpec[] } | null {
  const all = where === 'allNamespaces' || where === 'watchAllNamespaces';
  if (all && !r.namespaced) return null;
  const watch = where.startsWith('watch') ? '/watch' : '';
  const ns = r.namespaced && !all ? '/namespaces/{namespace}' : '';
  const item = where === 'item' || where === 'watchItem' ? '/{name}' : '';
  const params = [...(ns ? [NAMESPACE] : []), ...(item ? [NAME] : [])];
  return { path: `${GROUP_PATH}${watch}${ns}/${r.plural}${item}`, params };
}

/** operationsFor lists the operations of one resource, for the verbs it serves. */
export function operationsFor(r: ResourceOpenAPIInfo): OperationSpec[] {
  const ops: OperationSpec[] = [];
  for (const t of OPERATIONS) {
    const at = r.verbs.includes(t.verb) ? pathOf(r, t.where) : null;
    if (!at) continue;
    const scoped = r.namespaced && !t.where.endsWith('AllNamespaces') ? 'Namespaced' : '';
    const response = t.response === 'kind' ? r.kind : t.response === 'listKind' ? r.listKind : t.response;
    ops.push({
      path: at.path,
      method: t.method,
      operationId: `${t.id[0]}${OP_INFIX}${scoped}${r.kind}${t.id[1]}`,
      description: t.description.replace('KIND', r.kind),
      action: t.action,
      kind: r.kind,
      params: [...at.params, ...t.params],
      ...(t.body ? { bodyKind: t.body === 'kind' ? r.kind : 'Patch' } : {}),
      responseKind: response,
      produces: t.stream ? STREAM_TYPES : JSON_TYPES,
    });
  }
  return ops;
}
