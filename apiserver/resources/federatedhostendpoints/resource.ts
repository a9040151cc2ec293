// resource.ts: FederatedHostEndpoint (fhep): one per node in any cluster, named <cluster>.<node>.
import type { Store } from '../../store/store.js';
import type { KObject } from '../../types.js';
import type { Resource } from '../../rest/resource.js';
import { STALE_COLUMN, age, column, listCell } from '../columns.js';

interface Spec {
  cluster: string;
  addresses: { type: string; address: string }[];
  podCIDRs: string[];
  tunnel: { address: string; mac: string };
}
const spec = (o: KObject): Spec => o.spec as Spec;
const status = (o: KObject): { ready: boolean; stale: boolean } =>
  o.status as { ready: boolean; stale: boolean };

/** federatedHostEndpoints returns the FederatedHostEndpoint resource backed by store. */
export function federatedHostEndpoints(store: Store): Resource {
  return {
    info: {
      plural: 'federatedhostendpoints',
      singular: 'federatedhostendpoint',
      kind: 'FederatedHostEndpoint',
      listKind: 'FederatedHostEndpointList',
      namespaced: false,
      shortNames: ['fhep'],
      categories: ['mesh'],
    },
    reader: { store, fields: { 'spec.cluster': (o) => spec(o).cluster } },
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
      cells: (o, now) => {
        const s = spec(o);
        return [
          s.cluster,
          listCell(s.addresses.map((a) => a.address)),
          listCell(s.podCIDRs),
          age(o.metadata.creationTimestamp, now),
          s.tunnel.address ? `${s.tunnel.address}/${s.tunnel.mac}` : '<none>',
          status(o).ready,
          status(o).stale,
        ];
      },
    },
  };
}
