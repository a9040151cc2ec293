// resource.ts: FederatedHostEndpoint (fhep): one per node in any cluster, named <cluster>.<node>.
import type { Store } from '../../store/store.js';
import type { KObject } from '../../types.js';
import type { Resource } from '../../rest/resource.js';
import { age, listCell } from '../age.js';

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
        { name: 'Cluster', type: 'string', format: '', description: 'Cluster of the node.', priority: 0 },
        { name: 'Addresses', type: 'string', format: '', description: 'Node addresses.', priority: 0 },
        {
          name: 'Pod CIDRs',
          type: 'string',
          format: '',
          description: 'Pod CIDRs routed to the node.',
          priority: 0,
        },
        {
          name: 'Age',
          type: 'string',
          format: '',
          description: 'Time since the node was created.',
          priority: 0,
        },
        {
          name: 'Tunnel',
          type: 'string',
          format: '',
          description: 'VXLAN tunnel endpoint address and MAC.',
          priority: 1,
        },
        {
          name: 'Ready',
          type: 'boolean',
          format: '',
          description: 'Whether the node is ready.',
          priority: 1,
        },
        {
          name: 'Stale',
          type: 'boolean',
          format: '',
          description: 'Whether the source cluster is disconnected (data kept).',
          priority: 1,
        },
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
