// kinds.ts: what a cluster's syncer mirrors: every source kind of the mesh store, each applied to
// the store under the cluster's name.
import type { MeshStore } from '../../mesh/meshstore.js';
import type { SyncKind } from '../sync/syncer.js';

/** syncKinds returns the kinds a cluster's syncer lists and watches, feeding mesh. */
export function syncKinds(mesh: MeshStore, cluster: string): SyncKind[] {
  return mesh.kinds.map((k) => ({
    name: k.name,
    path: k.path,
    ...(k.optional ? { optional: true } : {}),
    apply: (changes) => mesh.apply(cluster, k.name, changes),
  }));
}
