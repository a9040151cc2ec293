// registry.ts: the one map of what fedmesh-apiserver serves. Adding a resource means adding its
// folder and one line here.
import type { Core } from '../../core/index.js';
import type { MeshStore } from '../mesh/meshstore.js';
import type { Resource } from '../rest/resource.js';
import { federatedEndpoints } from './federatedendpoints/resource.js';
import { federatedHostEndpoints } from './federatedhostendpoints/resource.js';
import { federatedIPSets, federatedIPSetSlices } from './federatedipsets/resource.js';
import { federatedServices } from './federatedservices/resource.js';
import { selectorReviews } from './selectorreviews/resource.js';

/** servedResources returns every served resource by plural name, in discovery order. */
export function servedResources(core: Core, mesh: MeshStore): Map<string, Resource> {
  const all = [
    federatedEndpoints(mesh.endpoints),
    federatedHostEndpoints(mesh.hosts),
    federatedIPSets(mesh.ipSets),
    federatedIPSetSlices(mesh.ipSetSlices),
    federatedServices(mesh.federatedServices),
    selectorReviews(core, mesh),
  ];
  return new Map(all.map((r) => [r.info.plural, r]));
}
