// resource.ts: FederatedEndpoint (fep): one per pod in any cluster of the mesh, namespaced in the
// pod's namespace, named <cluster>.<pod>.
import type { Store } from '../../store/store.js';
import type { KObject } from '../../types.js';
import type { Resource } from '../../rest/resource.js';
import { age, listCell } from '../age.js';

interface Spec {
  cluster: string;
  node: string;
  serviceAccount: string;
  ips: string[];
  ports: { name: string; port: number; protocol: string }[];
}
interface Status {
  ready: boolean;
  stale: boolean;
}
const spec = (o: KObject): Spec => o.spec as Spec;
const status = (o: KObject): Status => o.status as Status;

/** federatedEndpoints returns the FederatedEndpoint resource backed by store. */
export function federatedEndpoints(store: Store): Resource {
  return {
    info: {
      plural: 'federatedendpoints',
      singular: 'federatedendpoint',
      kind: 'FederatedEndpoint',
      listKind: 'FederatedEndpointList',
      namespaced: true,
      shortNames: ['fep'],
      categories: ['mesh'],
    },
    reader: {
      store,
      fields: {
        'spec.cluster': (o) => spec(o).cluster,
        'spec.node': (o) => spec(o).node,
        'spec.serviceAccount': (o) => spec(o).serviceAccount,
        // Matches when any of the pod's IPs equals the value.
        'spec.ip': (o) => spec(o).ips,
        'status.stale': (o) => String(status(o).stale),
      },
    },
    table: {
      columns: [
        { name: 'Cluster', type: 'string', format: '', description: 'Cluster the pod runs in.', priority: 0 },
        { name: 'IPs', type: 'string', format: '', description: 'Pod IPs.', priority: 0 },
        { name: 'Node', type: 'string', format: '', description: 'Node the pod runs on.', priority: 0 },
        {
          name: 'Age',
          type: 'string',
          format: '',
          description: 'Time since the pod was created.',
          priority: 0,
        },
        {
          name: 'Service Account',
          type: 'string',
          format: '',
          description: 'Service account of the pod.',
          priority: 1,
        },
        { name: 'Ports', type: 'string', format: '', description: 'Named container ports.', priority: 1 },
        { name: 'Ready', type: 'boolean', format: '', description: 'Whether the pod is ready.', priority: 1 },
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
          listCell(s.ips),
          s.node || '<none>',
          age(o.metadata.creationTimestamp, now),
          s.serviceAccount,
          listCell(s.ports.map((p) => `${p.name}:${p.port}/${p.protocol}`)),
          status(o).ready,
          status(o).stale,
        ];
      },
    },
  };
}
