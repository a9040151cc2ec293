// resource.ts: FederatedIPSet (fips), one per scoped selector of an active MeshNetworkPolicy, and
// FederatedIPSetSlice, the members in slices of at most 256 (docs/adr/0008-ip-set-slices.md).
import {
  FEDERATED_IP_SETS as NAMES,
  FEDERATED_IP_SET_SLICES as SLICE_NAMES,
  type FederatedIPSet,
  type FederatedIPSetSlice,
} from '../../../api/index.js';
import type { Store } from '../../store/store.js';
import { defineResource, type Resource } from '../../rest/resource.js';
import { age, column, listCell } from '../columns.js';
import { resourceInfo } from '../info.js';

/** federatedIPSets returns the FederatedIPSet resource backed by store. */
export function federatedIPSets(store: Store<FederatedIPSet>): Resource {
  return defineResource<FederatedIPSet>({
    info: resourceInfo(NAMES),
    reader: { store, fields: { 'spec.uniqueID': (o) => o.spec.uniqueID } },
    table: {
      columns: [
        column('Selector', 'The scoped selector whose matches the set holds.'),
        column('Members', 'Addresses in the set.', 0, 'integer'),
        column('Clusters', 'Clusters with members.'),
        column('Age', 'Time since a policy first used the set.'),
        column('Policies', 'MeshNetworkPolicies using the set.', 1),
        column('CIDRs', 'Minimal CIDR cover of the members (small sets only).', 1),
      ],
      cells: ({ metadata, spec, status }, now) => [
        spec.selector,
        status?.members ?? 0,
        listCell(status?.clusters),
        age(metadata.creationTimestamp, now),
        listCell(spec.policies),
        status?.cidrs ? listCell(status.cidrs) : '<large>',
      ],
    },
  });
}

/** federatedIPSetSlices returns the FederatedIPSetSlice resource backed by store. */
export function federatedIPSetSlices(store: Store<FederatedIPSetSlice>): Resource {
  return defineResource<FederatedIPSetSlice>({
    // Not in category "mesh": `kubectl get mesh` lists sets, not their hundreds of slices.
    info: resourceInfo(SLICE_NAMES, []),
    reader: { store, fields: { ipSet: (o) => o.ipSet } },
    table: {
      columns: [
        column('IP Set', 'The FederatedIPSet the slice belongs to.'),
        column('Members', 'Addresses in the slice.', 0, 'integer'),
        column('Age', 'Time since the set was created.'),
      ],
      cells: ({ metadata, ipSet, members }, now) => [
        ipSet,
        members.length,
        age(metadata.creationTimestamp, now),
      ],
    },
  });
}
