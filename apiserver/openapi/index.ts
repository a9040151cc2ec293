// index.ts: OpenAPI of fedmesh-apiserver: the router serving /openapi/v2 and /openapi/v3, and the
// schema loader shared with the CRD generator.
export { openapiRouter, type OpenAPIRouterOptions } from './router.js';
export type { ResourceOpenAPIInfo } from './paths.js';
export { loadSchemas, packageRoot, type Schema, type SchemaSet } from './schemas.js';
