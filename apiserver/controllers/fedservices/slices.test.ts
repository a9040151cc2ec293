// slices.test.ts: the pure parts of federated services: which ports survive (name and protocol),
// conflicts, one slice per source cluster and address family split at 100, remote target names,
// the writes that bring owned slices in line, and which Services can be federated.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Core } from '../../../core/index.js';
import { packConditions, type MeshService, type MeshSlice } from '../../mesh/kinds/compact.js';
import { compactSlice } from '../../mesh/kinds/services.js';
import { diffSlices, verdict } from './diff.js';
import { matchPorts, planSlices, portConflicts, type Backing } from './slices.js';

const fed: MeshService = {
  cluster: 'a',
  namespace: 'shop',
  name: 'db-global',
  uid: 'uid-g',
  labels: {},
  federation: { annotation: 'federated.mesh/service-selector', selector: "app == 'db'" },
  hasSelector: false,
  type: 'ClusterIP',
  ports: [
    { name: 'sql', protocol: 'TCP', port: 5432 },
    { name: 'metrics', protocol: 'TCP', port: 9090 },
  ],
};

const backingSvc = (
  cluster: string,
  ports = [{ name: 'sql', protocol: 'TCP', port: 5432 }],
): MeshService => ({
  ...fed,
  cluster,
  name: 'db',
  uid: `u-${cluster}`,
  federation: undefined,
  hasSelector: true,
  ports,
});

const slice = (cluster: string, name: string, n: number, addressType = 'IPv4', first = 1): MeshSlice => ({
  cluster,
  namespace: 'shop',
  name,
  service: 'db',
  managedBy: 'endpointslice-controller.k8s.io',
  addressType,
  ports: [
    { name: 'sql', port: 15432, protocol: 'TCP' },
    { name: 'admin', port: 8080, protocol: 'TCP' },
  ],
  endpoints: Array.from({ length: n }, (_, i) => ({
    addresses: [
      addressType === 'IPv4'
        ? `10.${cluster.charCodeAt(0) % 250}.${(first + i) >> 8}.${(first + i) & 255}`
        : `fd00::${(first + i).toString(16)}`,
    ],
    c: packConditions({ ready: i % 2 === 0, serving: true, terminating: false }),
    node: `${cluster}-node-1`,
    zone: 'z1',
    target: `db-${i}`,
  })),
});

describe('federated service slices', () => {
  it('keeps ports matching by name and protocol, with the backing port numbers', () => {
    const cases: [string, { name: string; protocol: string }[], string[]][] = [
      ['same name and protocol', [{ name: 'sql', protocol: 'TCP' }], ['sql:15432/TCP']],
      ['same name, other protocol', [{ name: 'sql', protocol: 'UDP' }], []],
      ['no such name', [{ name: 'web', protocol: 'TCP' }], []],
    ];
    for (const [name, want, got] of cases)
      assert.deepEqual(
        matchPorts(want, slice('b', 's', 1).ports).map((p) => `${p.name}:${p.port}/${p.protocol}`),
        got,
        name,
      );
  });

  it('reports a port of the same name with another protocol as a conflict', () => {
    const c = portConflicts(fed, backingSvc('b', [{ name: 'sql', protocol: 'UDP', port: 5432 }]));
    assert.deepEqual(c, ['port "sql" is TCP here but UDP in Service db of cluster b']);
    assert.deepEqual(portConflicts(fed, backingSvc('c')), []);
  });

  it('writes one slice per source cluster and address family, split at 100 endpoints', () => {
    const backing: Backing[] = [
      { service: backingSvc('a'), slices: [slice('a', 'db-1', 3)] },
      {
        service: backingSvc('b'),
        slices: [slice('b', 'db-1', 100), slice('b', 'db-2', 50, 'IPv4', 101), slice('b', 'db-3', 2, 'IPv6')],
      },
    ];
    const plan = planSlices(fed, 'a', backing, (c) => c === 'b');
    assert.deepEqual(
      plan.slices.map((s) => `${s.metadata!.name} ${s.endpoints.length}`),
      ['db-global.a.ipv4.0 3', 'db-global.b.ipv4.0 100', 'db-global.b.ipv4.1 50', 'db-global.b.ipv6.0 2'],
    );
    const [local, remote] = plan.slices;
    assert.deepEqual(remote!.metadata!.labels, {
      'kubernetes.io/service-name': 'db-global',
      'endpointslice.kubernetes.io/managed-by': 'federated.mesh',
      'multicluster.kubernetes.io/source-cluster': 'b',
    });
    assert.deepEqual(remote!.metadata!.annotations, { 'federated.mesh/source-stale': 'true' });
    assert.equal(remote!.metadata!.ownerReferences![0]!.uid, 'uid-g');
    assert.deepEqual(remote!.ports, [{ name: 'sql', port: 15432, protocol: 'TCP' }]);
    assert.equal(local!.endpoints[0]!.targetRef!.name, 'db-0', 'local targets keep their names');
    assert.deepEqual(remote!.endpoints[0], {
      addresses: ['10.98.0.1'],
      conditions: { ready: true, serving: true, terminating: false },
      nodeName: 'b-node-1',
      zone: 'z1',
      targetRef: { kind: 'Pod', namespace: 'shop', name: 'b/db-0' },
    });
    assert.deepEqual(
      plan.clusters.map((c) => [c.cluster, c.endpoints, c.ready]),
      [
        ['a', 3, 2],
        ['b', 152, 76],
      ],
    );
  });

  it('deduplicates an endpoint two backing Services share and skips slices fedmesh wrote', () => {
    const other = { ...backingSvc('b'), name: 'db-too' };
    const ours = { ...slice('b', 'x', 5), managedBy: 'federated.mesh' };
    const plan = planSlices(
      fed,
      'a',
      [
        { service: backingSvc('b'), slices: [slice('b', 'db-1', 2)] },
        { service: other, slices: [slice('b', 'db-too-1', 2), ours] },
      ],
      () => false,
    );
    assert.equal(plan.slices.length, 1);
    assert.equal(plan.slices[0]!.endpoints.length, 2);
  });

  it('writes only what differs, repeats nothing in flight, and keeps slices of clusters still syncing', () => {
    const plan = planSlices(
      fed,
      'a',
      [{ service: backingSvc('b'), slices: [slice('b', 'db-1', 2)] }],
      () => false,
    );
    const inSync = plan.slices.map((s) => compactSlice('a', s));
    const inflight = new Map<string, string>();
    assert.deepEqual(
      diffSlices('a', plan.slices, inSync, () => false, inflight),
      [],
    );
    const edited = [{ ...inSync[0]!, endpoints: [] }];
    const ops = diffSlices('a', plan.slices, edited, () => false, inflight);
    assert.deepEqual(
      ops.map((o) => ('apply' in o ? `apply ${o.key}` : `delete ${o.key}`)),
      ['apply shop/db-global.b.ipv4.0'],
    );
    inflight.set(ops[0]!.key, ops[0]!.want);
    assert.deepEqual(
      diffSlices('a', plan.slices, edited, () => false, inflight),
      [],
      'already sent',
    );
    const gone = { ...inSync[0]!, name: 'db-global.c.ipv4.0', sourceCluster: 'c' };
    assert.deepEqual(
      diffSlices('a', [], [gone], (c) => c === 'c', new Map()),
      [],
      'c is still syncing',
    );
    assert.deepEqual(
      diffSlices('a', [], [gone], () => false, new Map()).map((o) => ('delete' in o ? o.delete : '')),
      ['db-global.c.ipv4.0'],
    );
  });

  it('refuses a Service with both the annotation and spec.selector, and an invalid selector, saying why', () => {
    const core = Core.load();
    assert.deepEqual(verdict(core, fed), {
      valid: true,
      effective: '(projectcalico.org/namespace == "shop" && app == "db")',
    });
    const both = verdict(core, { ...fed, hasSelector: true });
    assert.equal(both.valid ? '' : both.reason, 'SelectorAndSpecSelector');
    const bad = verdict(core, {
      ...fed,
      federation: { annotation: 'federated.mesh/service-selector', selector: 'app ==' },
    });
    assert.equal(bad.valid ? '' : bad.reason, 'InvalidSelector');
    assert.match(bad.valid ? '' : bad.message, /position \d+ of "app =="/);
  });
});
