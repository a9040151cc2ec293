// documents.ts: renders the served resources and the openapi/ schemas as the OpenAPI v3 document
// of federated.mesh/v1alpha1 and as the Swagger 2.0 document kube-apiserver merges into its own.
import type { OpenAPIV2, OpenAPIV3 } from 'openapi-types';
import { GROUP, VERSION } from '../types.js';
import { operationsFor, type OperationSpec, type ParamSpec, type ResourceOpenAPIInfo } from './paths.js';
import { closure, REF_PREFIX, schemaNameFor, type SchemaSet } from './schemas.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1.';
/** Kinds that live in meta/v1 rather than in our group. */
const META_KINDS = new Set(['Status', 'WatchEvent', 'Patch']);
const TAG = 'federatedMesh_v1alpha1';
const PATCH_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];
const BEARER = {
  type: 'apiKey' as const,
  in: 'header',
  name: 'authorization',
  description: 'Bearer Token authentication',
};

/** Built is one set of operations with the schema name of every kind they mention. */
interface Built {
  ops: OperationSpec[];
  schemaOf: (kind: string) => string;
  schemas: SchemaSet;
}

/** plan lists the operations of every resource and the schemas they need; throws if one is missing. */
function plan(resources: ResourceOpenAPIInfo[], all: SchemaSet): Built {
  const ops = resources.flatMap(operationsFor);
  const schemaOf = (kind: string): string =>
    META_KINDS.has(kind) ? META + kind : schemaNameFor(all, { group: GROUP, version: VERSION, kind });
  const roots = new Set([META + 'Status']);
  for (const o of ops) {
    roots.add(schemaOf(o.responseKind));
    if (o.bodyKind) roots.add(schemaOf(o.bodyKind));
  }
  for (const r of resources) if (r.verbs.includes('list')) roots.add(schemaOf(r.listKind));
  return { ops, schemaOf, schemas: closure(all, roots) };
}

/** byPath groups operations into path items, paths sorted. */
function byPath<T>(ops: OperationSpec[], render: (o: OperationSpec) => T): Record<string, Record<string, T>> {
  const out: Record<string, Record<string, T>> = {};
  for (const o of [...ops].sort((a, b) => a.path.localeCompare(b.path))) {
    (out[o.path] ??= {})[o.method] = render(o);
  }
  return out;
}

/** k8sExtensions are the extensions kubectl explain looks operations up by. */
const k8sExtensions = (o: OperationSpec) => ({
  'x-kubernetes-action': o.action,
  'x-kubernetes-group-version-kind': { group: GROUP, version: VERSION, kind: o.kind },
});

const created = (o: OperationSpec): string[] =>
  o.method === 'post' ? ['201', '202'] : o.method === 'put' ? ['201'] : [];
const reason: Record<string, string> = { '200': 'OK', '201': 'Created', '202': 'Accepted' };

function v3Operation(o: OperationSpec, schemaOf: (k: string) => string): OpenAPIV3.OperationObject {
  const ref = { $ref: REF_PREFIX + schemaOf(o.responseKind) };
  const content = Object.fromEntries(o.produces.map((t) => [t, { schema: ref }]));
  const responses: OpenAPIV3.ResponsesObject = {};
  for (const code of ['200', ...created(o)]) responses[code] = { description: reason[code]!, content };
  responses['401'] = { description: 'Unauthorized' };
  const op: OpenAPIV3.OperationObject = {
    tags: [TAG],
    description: o.description,
    operationId: o.operationId,
    parameters: o.params.map(v3Param),
    responses,
    ...k8sExtensions(o),
  };
  if (o.bodyKind) {
    const schema = { $ref: REF_PREFIX + schemaOf(o.bodyKind) };
    const types = o.method === 'patch' ? PATCH_TYPES : ['*/*'];
    op.requestBody = { required: true, content: Object.fromEntries(types.map((t) => [t, { schema }])) };
  }
  return op;
}

const v3Param = (p: ParamSpec): OpenAPIV3.ParameterObject => ({
  name: p.name,
  in: p.in,
  description: p.description,
  ...(p.required ? { required: true } : {}),
  schema: { type: p.type, uniqueItems: true },
});

/** buildV3 returns the OpenAPI v3 document of federated.mesh/v1alpha1 for the given resources. */
export function buildV3(
  resources: ResourceOpenAPIInfo[],
  all: SchemaSet,
  version: string,
): OpenAPIV3.Document {
  const { ops, schemaOf, schemas } = plan(resources, all);
  return {
    openapi: '3.0.0',
    info: { title: 'fedmesh', version },
    paths: byPath(ops, (o) => v3Operation(o, schemaOf)),
    components: {
      schemas: schemas,
      securitySchemes: { BearerToken: BEARER },
    },
    security: [{ BearerToken: [] }],
  };
}

/** toV2Schema rewrites a v3 schema for Swagger 2.0: definitions refs, and allOf-wrapped refs unwrapped. */
export function toV2Schema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toV2Schema);
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === '$ref' && typeof v === 'string') out[k] = v.replace(REF_PREFIX, '#/definitions/');
    else if (k === 'allOf' && Array.isArray(v) && v.length === 1) Object.assign(out, toV2Schema(v[0]));
    else out[k] = toV2Schema(v);
  }
  return out;
}

function v2Operation(o: OperationSpec, schemaOf: (k: string) => string): OpenAPIV2.OperationObject {
  const schema = { $ref: '#/definitions/' + schemaOf(o.responseKind) };
  const responses: OpenAPIV2.ResponsesObject = {};
  for (const code of ['200', ...created(o)]) responses[code] = { description: reason[code]!, schema };
  responses['401'] = { description: 'Unauthorized' };
  const params: OpenAPIV2.Parameters = o.params.map((p) => ({
    name: p.name,
    in: p.in,
    type: p.type,
    description: p.description,
    uniqueItems: true,
    ...(p.required ? { required: true } : {}),
  }));
  if (o.bodyKind) {
    params.push({
      name: 'body',
      in: 'body',
      required: true,
      schema: { $ref: '#/definitions/' + schemaOf(o.bodyKind) },
    });
  }
  return {
    description: o.description,
    consumes: o.method === 'patch' ? PATCH_TYPES : ['*/*'],
    produces: o.produces,
    schemes: ['https'],
    tags: [TAG],
    operationId: o.operationId,
    parameters: params,
    responses,
    ...k8sExtensions(o),
  };
}

/** buildV2 returns the Swagger 2.0 document of the given resources. */
export function buildV2(
  resources: ResourceOpenAPIInfo[],
  all: SchemaSet,
  version: string,
): OpenAPIV2.Document {
  const { ops, schemaOf, schemas } = plan(resources, all);
  return {
    swagger: '2.0',
    info: { title: 'fedmesh', version },
    paths: byPath(ops, (o) => v2Operation(o, schemaOf)),
    definitions: toV2Schema(schemas) as OpenAPIV2.DefinitionsObject,
    securityDefinitions: { BearerToken: BEARER },
    security: [{ BearerToken: [] }],
  };
}
