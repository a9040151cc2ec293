// services.test.ts: Services and EndpointSlices of every cluster in the mesh store: compact forms,
// which Services can back a federated service, events per service, sweep and removal with the cluster.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { Core } from '../../core/index.js';
import { packConditions, unpackConditions } from './kinds/compact.js';
import { compactService, compactSlice } from './kinds/services.js';
import { MeshStore } from './meshstore.js';
import type { ServiceEvent } from './services.js';

const svc = (
  name: string,
  labels: Record<string, string>,
  annotations?: Record<string, string>,
): V1Service => ({
  metadata: { name, namespace: 'shop', uid: `u-${name}`, labels, annotations },
  spec: { selector: annotations ? undefined : { app: name }, ports: [{ name: 'db', port: 5432 }] },
});

const slice = (name: string, service: string, ip: string): V1EndpointSlice => ({
  metadata: {
    name,
    namespace: 'shop',
    labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'x' },
  },
  addressType: 'IPv4',
  ports: [{ name: 'db', port: 5432, protocol: 'TCP' }],
  endpoints: [
    {
      addresses: [ip],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: 'n1',
      zone: 'z1',
      targetRef: { kind: 'Pod', name: 'db-0', namespace: 'shop', uid: 'abc' },
    },
  ],
});

describe('services in the mesh store', () => {
  it('packs endpoint conditions into one number and back, unknown kept unknown', () => {
    for (const c of [
      {},
      { ready: true },
      { ready: false, serving: true, terminating: true },
      { terminating: false },
    ])
      assert.deepEqual(unpackConditions(packConditions(c)), c);
  });

  it('keeps only what federation needs of a Service and a slice', () => {
    const s = compactService('b', svc('db', { app: 'db' }));
    assert.deepEqual(s, {
      cluster: 'b',
      namespace: 'shop',
      name: 'db',
      uid: 'u-db',
      labels: { app: 'db' },
      hasSelector: true,
      type: 'ClusterIP',
      ports: [{ name: 'db', protocol: 'TCP', port: 5432 }],
    });
    const f = compactService('a', svc('g', {}, { 'federation.tigera.io/serviceSelector': 'app == "db"' }));
    assert.deepEqual(f.federation, {
      annotation: 'federation.tigera.io/serviceSelector',
      selector: 'app == "db"',
    });
    assert.equal(f.hasSelector, false);
    const sl = compactSlice('b', slice('db-x', 'db', '10.1.0.5'));
    assert.deepEqual(sl.endpoints, [
      {
        addresses: ['10.1.0.5'],
        c: packConditions({ ready: true, serving: true, terminating: false }),
        node: 'n1',
        zone: 'z1',
        target: 'db-0',
      },
    ]);
    assert.equal(sl.service, 'db');
    assert.equal(sl.sourceCluster, undefined, 'only owned slices keep their source cluster');
  });

  it('indexes plain Services by label across clusters, never federated ones, and tells who changed', () => {
    const m = new MeshStore(Core.load());
    const events: ServiceEvent[] = [];
    m.services.subscribe((e) => events.push(...e));
    m.services.selection.addSelector('shop/g', 'projectcalico.org/namespace == "shop" && app == "db"');
    m.apply('a', 'services', [
      { upsert: svc('db', { app: 'db' }) },
      { upsert: svc('g', { app: 'db' }, { 'federated.mesh/service-selector': 'app == "db"' }) },
    ]);
    m.apply('b', 'services', [{ upsert: svc('db', { app: 'db' }) }, { upsert: svc('web', { app: 'web' }) }]);
    assert.deepEqual(m.services.selection.matching('shop/g'), ['a/shop/db', 'b/shop/db']);
    m.apply('b', 'endpointslices', [{ upsert: slice('db-x', 'db', '10.1.0.5') }]);
    assert.deepEqual(
      m.services.slicesOf('b', 'shop', 'db').map((s) => s.name),
      ['db-x'],
    );
    assert.deepEqual(events.at(-1), { kind: 'slice', cluster: 'b', namespace: 'shop', service: 'db' });
    // An unchanged relist says nothing.
    const n = events.length;
    m.apply('b', 'endpointslices', [{ upsert: slice('db-x', 'db', '10.1.0.5') }]);
    assert.equal(events.length, n);
  });

  it('sweeps what vanished during a resync and removes everything of a removed cluster', () => {
    const m = new MeshStore(Core.load());
    m.services.selection.addSelector('all', 'all()');
    let epoch = m.newEpoch('b');
    assert.equal(m.syncPending('b'), true);
    m.apply('b', 'services', [{ upsert: svc('db', { app: 'db' }) }, { upsert: svc('old', {}) }]);
    m.apply('b', 'endpointslices', [{ upsert: slice('db-x', 'db', '10.1.0.5') }]);
    m.sweep('b', epoch);
    assert.equal(m.syncPending('b'), false);
    epoch = m.newEpoch('b');
    m.apply('b', 'services', [{ upsert: svc('db', { app: 'db' }) }]);
    m.sweep('b', epoch);
    assert.deepEqual(m.services.selection.matching('all'), ['b/shop/db']);
    m.removeCluster('b');
    assert.deepEqual(m.services.selection.matching('all'), []);
    assert.deepEqual(m.services.counts(), { services: 0, slices: 0 });
  });
});
