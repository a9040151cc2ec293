// resource.ts: FederatedHostEndpoint (fhep): one per node in any cluster, named <cluster>.<node>.
import { FEDERATED_HOST_ENDPOINTS as NAMES, type FederatedHostEndpoint } from '../../../api/index.js';
import type { Store } from '../../store/store.js';
import { defineResource, type Resource } from '../../rest/resource.js';
import { STALE_COLUMN, age, column, listCell } from '../columns.js';
import { resourceInfo } from '../info.js';

const tunnelCell = (t: FederatedHostEndpoint['spec']['tunnel']): string =>
  t?.address ? `${t.address}/${t.mac ?? ''}` : '<none>';

/** federatedHostEndpoints returns the FederatedHostEndpoint resource backed by store. */
export function federatedHostEndpoints(store: Store<FederatedHostEndpoint>): Resource {
  return defineResource<FederatedHostEndpoint>({
    info: resourceInfo(NAMES),
    reader: { store, fields: { 'spec.cluster': (o) => o.spec.cluster } },
    table: {
      columns: [
        column('Cluster', 'Cluster of the node.'),
        column('Addresses', 'Node addresses.'),
        column('Pod CIDRs', 'Pod CIDRs routed to the node.'),
        column('Age', 'Time since the node was created.'),
        column('Tunnel', 'VXLAN tunnel endpoint address and MAC.', 1),
        column('Ready', 'Whether the node is ready.', 1, 'boolean'),
        STALE_COLUMN,
      ],
      cells: ({ metadata, spec, status }, now) => [
        spec.cluster,
        listCell((spec.addresses ?? []).map((a) => a.address)),
        listCell(spec.podCIDRs ?? []),
        age(metadata.creationTimestamp, now),
        tunnelCell(spec.tunnel),
        status.ready,
        status.stale,
      ],
    },
  });
}
