// index.ts: the source kinds every cluster syncs into the mesh store, in sync order (parents before
// the endpoints that name them).
import type { MeshKind } from './kind.js';
import { nodes } from './nodes.js';
import { namespaces, serviceAccounts } from './parents.js';
import { pods } from './pods.js';
import { serviceExports } from './exports.js';
import { endpointSlices, services } from './services.js';

export type { MeshKind, Observed, SourceChange, SourceRef } from './kind.js';
export { nodeToHostEndpoint } from './nodes.js';
export { podToEndpoint } from './pods.js';
export { compactService, compactSlice, federationOf } from './services.js';
export { compactExport } from './exports.js';

/** MESH_KINDS are the kinds synced from every cluster of the mesh. */
export const MESH_KINDS: readonly MeshKind[] = [
  namespaces,
  serviceAccounts,
  pods,
  nodes,
  services,
  endpointSlices,
  serviceExports,
];
