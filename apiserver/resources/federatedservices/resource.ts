// resource.ts: FederatedService (fsvc): one per local Service with a federation selector
// annotation, same namespace and name, showing what the selector resolved to in every cluster.
import { FEDERATED_SERVICES as NAMES, type FederatedService } from '../../../api/index.js';
import type { Store } from '../../store/store.js';
import { defineResource, type Resource } from '../../rest/resource.js';
import { age, column, listCell } from '../columns.js';
import { resourceInfo } from '../info.js';

const condition = (o: FederatedService, type: string): string =>
  o.status.conditions?.find((c) => c.type === type)?.status ?? 'Unknown';

// reason is the reason of the first condition that is not as it should be, else the Ready reason.
function reason(o: FederatedService): string {
  const cs = o.status.conditions ?? [];
  const bad = cs.find(
    (c) => (c.type === 'Conflict' && c.status === 'True') || (c.type !== 'Conflict' && c.status !== 'True'),
  );
  return (bad ?? cs.find((c) => c.type === 'Ready'))?.reason ?? '';
}

/** federatedServices returns the FederatedService resource backed by store. */
export function federatedServices(store: Store<FederatedService>): Resource {
  return defineResource<FederatedService>({
    info: resourceInfo(NAMES),
    reader: {
      store,
      fields: { 'status.ready': (o) => condition(o, 'Ready') },
    },
    table: {
      columns: [
        column('Selector', 'The federation selector annotation of the Service.'),
        column('Clusters', 'Clusters with a selected Service, and the endpoints taken from each.'),
        column('Endpoints', 'Ready endpoints of all endpoints written.'),
        column('Ready', 'Whether the EndpointSlices are written and an endpoint is ready.'),
        column('Age', 'Time since the Service was created.'),
        column('Reason', 'Why the Service is not ready, or has a conflict.', 1),
        column('Conflict', 'Whether a backing Service has a port of the same name with another protocol.', 1),
        column('Slices', 'EndpointSlices kept for the Service.', 1, 'integer'),
      ],
      cells: (o, now) => [
        o.spec.selector,
        listCell(
          (o.status.clusters ?? []).map((c) => `${c.cluster}:${c.endpoints ?? 0}${c.stale ? '(stale)' : ''}`),
        ),
        `${o.status.readyEndpoints ?? 0}/${o.status.endpoints ?? 0}`,
        condition(o, 'Ready'),
        age(o.metadata.creationTimestamp, now),
        reason(o),
        condition(o, 'Conflict'),
        o.status.slices ?? 0,
      ],
    },
  });
}
