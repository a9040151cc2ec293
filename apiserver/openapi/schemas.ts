// schemas.ts: loads the OpenAPI component schemas of openapi/*.yaml (the source of truth) and
// answers questions about them: which schema describes a kind, which schemas a set of roots needs.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { OpenAPIV3 } from 'openapi-types';

/** Schema is one OpenAPI v3 schema, with the x-kubernetes-* extensions we use. */
export type Schema = OpenAPIV3.SchemaObject & Record<`x-${string}`, unknown>;

/** SchemaSet maps schema names (e.g. io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta) to schemas. */
export type SchemaSet = Record<string, Schema>;

/** GVK is a group, version and kind, as in x-kubernetes-group-version-kind. */
export interface GVK {
  group: string;
  version: string;
  kind: string;
}

/** SCHEMA_FILES are the files of openapi/, in the order they are merged. */
export const SCHEMA_FILES = [
  'meta.v1.yaml',
  'federated.mesh.v1alpha1.yaml',
  'config.federated.mesh.v1alpha1.yaml',
] as const;

/** REF_PREFIX is how v3 documents refer to component schemas. */
export const REF_PREFIX = '#/components/schemas/';

/** packageRoot returns the folder of fedmesh's package.json, walking up from this file. */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'fedmesh') {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`fedmesh: no package.json named "fedmesh" above ${from}`);
  }
}

/** loadSchemas reads every file of SCHEMA_FILES from openapi/ and merges them; names must not repeat. */
export function loadSchemas(root: string = packageRoot()): SchemaSet {
  const all: SchemaSet = {};
  for (const file of SCHEMA_FILES) {
    const doc = parse(readFileSync(join(root, 'openapi', file), 'utf8')) as SchemaSet;
    for (const [name, schema] of Object.entries(doc)) {
      if (name in all) throw new Error(`openapi/${file}: schema ${name} is defined twice`);
      all[name] = schema;
    }
  }
  return all;
}

/** gvksOf returns the x-kubernetes-group-version-kind list of a schema (empty if none). */
export function gvksOf(schema: Schema): GVK[] {
  const v = schema['x-kubernetes-group-version-kind'];
  return Array.isArray(v) ? (v as GVK[]) : [];
}

/** schemaNameFor returns the name of the schema describing gvk, or throws naming what is missing. */
export function schemaNameFor(schemas: SchemaSet, gvk: GVK): string {
  for (const [name, s] of Object.entries(schemas)) {
    if (gvksOf(s).some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind)) {
      return name;
    }
  }
  throw new Error(
    `openapi/: no schema has x-kubernetes-group-version-kind ${gvk.group}/${gvk.version} ${gvk.kind}`,
  );
}

/** refsIn returns the names of the component schemas a value refers to, directly. */
export function refsIn(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) refsIn(v, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF_PREFIX))
        out.add(v.slice(REF_PREFIX.length));
      else refsIn(v, out);
    }
  }
  return out;
}

/** closure returns the schemas reachable from roots (roots included), sorted by name. */
export function closure(schemas: SchemaSet, roots: Iterable<string>): SchemaSet {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    const s = schemas[name];
    if (!s) throw new Error(`openapi/: schema ${name} is referenced but not defined`);
    seen.add(name);
    queue.push(...refsIn(s));
  }
  const out: SchemaSet = {};
  for (const name of [...seen].sort()) out[name] = schemas[name]!;
  return out;
}
