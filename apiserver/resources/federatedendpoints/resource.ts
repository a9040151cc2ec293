// resource.ts: FederatedEndpoint (fep): one per pod in any cluster of the mesh, namespaced in the
// pod's namespace, named <cluster>.<pod>.
import type { Store } from '../../store/store.js';
import type { KObject } from '../../types.js';
import type { Resource } from '../../rest/resource.js';
import { STALE_COLUMN, age, column, listCell } from '../columns.js';

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
        column('Cluster', 'Cluster the pod runs in.'),
        column('IPs', 'Pod IPs.'),
        column('Node', 'Node the pod runs on.'),
        column('Age', 'Time since the pod was created.'),
        column('Service Account', 'Service account of the pod.', 1),
        column('Ports', 'Named container ports.', 1),
        column('Ready', 'Whether the pod is ready.', 1, 'boolean'),
        STALE_COLUMN,
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
