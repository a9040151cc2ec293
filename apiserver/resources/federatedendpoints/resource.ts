// resource.ts: FederatedEndpoint (fep): one per pod in any cluster of the mesh, namespaced in the
// pod's namespace, named <cluster>.<pod>.
import { FEDERATED_ENDPOINTS as NAMES, type FederatedEndpoint } from '../../../api/index.js';
import type { Store } from '../../store/store.js';
import { defineResource, type Resource } from '../../rest/resource.js';
import { STALE_COLUMN, age, column, listCell } from '../columns.js';
import { resourceInfo } from '../info.js';

/** federatedEndpoints returns the FederatedEndpoint resource backed by store. */
export function federatedEndpoints(store: Store<FederatedEndpoint>): Resource {
  return defineResource<FederatedEndpoint>({
    info: resourceInfo(NAMES),
    reader: {
      store,
      fields: {
        'spec.cluster': (o) => o.spec.cluster,
        'spec.node': (o) => o.spec.node ?? '',
        'spec.serviceAccount': (o) => o.spec.serviceAccount ?? '',
        // Matches when any of the pod's IPs equals the value.
        'spec.ip': (o) => o.spec.ips ?? [],
        'status.stale': (o) => String(o.status.stale),
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
      cells: ({ metadata, spec, status }, now) => [
        spec.cluster,
        listCell(spec.ips ?? []),
        spec.node || '<none>',
        age(metadata.creationTimestamp, now),
        spec.serviceAccount,
        listCell((spec.ports ?? []).map((p) => `${p.name}:${p.port}/${p.protocol}`)),
        status.ready,
        status.stale,
      ],
    },
  });
}
