// crds.ts: builds the config.federated.mesh CustomResourceDefinitions from the openapi/ schemas, so
// the CRDs, kubectl explain and our documentation cannot drift apart. openapi/gen-crds.ts writes the
// result to manifests/crds/; a test checks that the committed files equal what this produces.
import { format, resolveConfig } from 'prettier';
import { stringify } from 'yaml';
import { join } from 'node:path';
import { REF_PREFIX, schemaNameFor, type Schema, type SchemaSet } from './schemas.js';

/** CONFIG_GROUP is the API group of the configuration CRDs. */
export const CONFIG_GROUP = 'config.federated.mesh';
const CONFIG_VERSION = 'v1alpha1';

/** PrinterColumn is one additionalPrinterColumns entry. */
export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

/** CRDInfo is what a CRD adds to its kind's schema: names, scope and columns. */
export interface CRDInfo {
  kind: string;
  plural: string;
  singular: string;
  shortNames: string[];
  scope: 'Namespaced' | 'Cluster';
  status: boolean;
  columns: PrinterColumn[];
}

const condition = (type: string): string => `.status.conditions[?(@.type=="${type}")].status`;
const AGE: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

/** CRDS lists the configuration kinds and how kubectl shows them. */
export const CRDS: CRDInfo[] = [
  {
    kind: 'RemoteClusterConfiguration',
    plural: 'remoteclusterconfigurations',
    singular: 'remoteclusterconfiguration',
    shortNames: ['rcc'],
    scope: 'Cluster',
    status: true,
    columns: [
      {
        name: 'Connected',
        type: 'string',
        jsonPath: condition('Connected'),
        description: 'The remote cluster answers.',
      },
      {
        name: 'Synced',
        type: 'string',
        jsonPath: condition('Synced'),
        description: 'Its endpoints are synced.',
      },
      {
        name: 'Workloads',
        type: 'integer',
        jsonPath: '.status.endpoints.workloads',
        description: 'Synced pods.',
      },
      { name: 'Hosts', type: 'integer', jsonPath: '.status.endpoints.hosts', description: 'Synced nodes.' },
      AGE,
      {
        name: 'Stale',
        type: 'string',
        jsonPath: condition('Stale'),
        priority: 1,
        description: 'Data kept while disconnected.',
      },
      { name: 'Last-Sync', type: 'date', jsonPath: '.status.lastSyncTime', priority: 1 },
    ],
  },
  {
    kind: 'MeshNetworkPolicy',
    plural: 'meshnetworkpolicies',
    singular: 'meshnetworkpolicy',
    shortNames: ['mnp'],
    scope: 'Namespaced',
    status: true,
    columns: [
      { name: 'Order', type: 'number', jsonPath: '.spec.order', description: 'Lower orders apply first.' },
      {
        name: 'Valid',
        type: 'string',
        jsonPath: condition('Valid'),
        description: 'Whether the policy compiled.',
      },
      AGE,
      { name: 'Selector', type: 'string', jsonPath: '.spec.selector', priority: 1 },
    ],
  },
  {
    kind: 'MeshConfiguration',
    plural: 'meshconfigurations',
    singular: 'meshconfiguration',
    shortNames: [],
    scope: 'Cluster',
    status: false,
    columns: [
      {
        name: 'Cluster',
        type: 'string',
        jsonPath: '.spec.clusterName',
        description: "This cluster's name in the mesh.",
      },
      { name: 'Overlay', type: 'boolean', jsonPath: '.spec.overlay.enabled' },
      AGE,
      { name: 'VNI', type: 'integer', jsonPath: '.spec.overlay.vni', priority: 1 },
    ],
  },
];

/** Extensions that describe the served API, not values: CRD schemas do not allow them. */
const DROPPED = new Set(['x-kubernetes-group-version-kind']);

/** structural inlines every $ref (merging allOf-wrapped refs with their siblings) and drops served-only extensions. */
export function structural(schemas: SchemaSet, value: unknown, path: string[] = []): unknown {
  if (Array.isArray(value)) return value.map((v) => structural(schemas, v, path));
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const allOf = obj.allOf as { $ref?: string }[] | undefined;
  const ref = typeof obj.$ref === 'string' ? obj.$ref : allOf?.length === 1 ? allOf[0]!.$ref : undefined;
  let out: Record<string, unknown> = {};
  if (ref) {
    const name = ref.slice(REF_PREFIX.length);
    if (path.includes(name))
      throw new Error(`openapi/: ${name} refers to itself; CRD schemas cannot recurse`);
    out = { ...(structural(schemas, schemas[name], [...path, name]) as Record<string, unknown>) };
  }
  for (const [k, v] of Object.entries(obj)) {
    if (k === '$ref' || (k === 'allOf' && ref) || DROPPED.has(k)) continue;
    out[k] = structural(schemas, v, path);
  }
  return out;
}

/** crdSchema returns the openAPIV3Schema of a kind: inlined, with metadata left to kube-apiserver. */
export function crdSchema(schemas: SchemaSet, kind: string): Schema {
  const name = schemaNameFor(schemas, { group: CONFIG_GROUP, version: CONFIG_VERSION, kind });
  const s = structural(schemas, schemas[name], [name]) as Schema;
  const props = { ...(s.properties ?? {}) } as Record<string, Schema>;
  // CRDs may not constrain metadata beyond name; kube-apiserver validates ObjectMeta itself.
  props.metadata = { type: 'object' };
  return { ...s, properties: props };
}

/** buildCRD returns the CustomResourceDefinition object of one configuration kind. */
export function buildCRD(schemas: SchemaSet, c: CRDInfo): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${c.plural}.${CONFIG_GROUP}`, labels: { 'app.kubernetes.io/part-of': 'fedmesh' } },
    spec: {
      group: CONFIG_GROUP,
      names: {
        kind: c.kind,
        listKind: `${c.kind}List`,
        plural: c.plural,
        singular: c.singular,
        ...(c.shortNames.length > 0 ? { shortNames: c.shortNames } : {}),
        categories: ['mesh'],
      },
      scope: c.scope,
      versions: [
        {
          name: CONFIG_VERSION,
          served: true,
          storage: true,
          schema: { openAPIV3Schema: crdSchema(schemas, c.kind) },
          ...(c.status ? { subresources: { status: {} } } : {}),
          additionalPrinterColumns: c.columns,
        },
      ],
    },
  };
}

/** crdFileName is where a CRD lives under manifests/crds/, named as controller-gen names them. */
export const crdFileName = (c: CRDInfo): string => `${CONFIG_GROUP}_${c.plural}.yaml`;

const HEADER =
  '# Generated by openapi/gen-crds.ts from openapi/config.federated.mesh.v1alpha1.yaml. Do not edit.\n';

/** renderCRDs returns each CRD's file name and YAML text, formatted as prettier formats the repo. */
export async function renderCRDs(schemas: SchemaSet, root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const config = (await resolveConfig(join(root, 'manifests', 'crds', 'x.yaml'))) ?? {};
  for (const c of CRDS) {
    const text = HEADER + stringify(buildCRD(schemas, c), { lineWidth: 0 });
    out.set(crdFileName(c), await format(text, { ...config, parser: 'yaml' }));
  }
  return out;
}
