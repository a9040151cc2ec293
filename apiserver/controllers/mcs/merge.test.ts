// merge.test.ts: the pure parts of Multi-Cluster Services: which exports are valid, the union of
// ports by name and protocol, oldest-export-wins conflict resolution with upstream reasons, the
// export conditions, and the derived Service's name (upstream's).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { derivedServiceName, type ImportPort } from '../../../api/index.js';
import type { MeshExport, MeshService } from '../../mesh/kinds/compact.js';
import { mergeExports, mergePorts, oldestFirst, validity, type Exported } from './merge.js';
import { exportConditions, sameConditions } from './objects.js';

const svc = (cluster: string, over: Partial<MeshService> = {}): MeshService => ({
  cluster,
  namespace: 'shop',
  name: 'db',
  uid: `u-${cluster}`,
  labels: {},
  hasSelector: true,
  type: 'ClusterIP',
  clusterIP: '10.0.0.1',
  ports: [{ name: 'tcp', protocol: 'TCP', port: 80 }],
  ...over,
});

const exp = (cluster: string, created: string): MeshExport => ({
  cluster,
  namespace: 'shop',
  name: 'db',
  uid: `e-${cluster}`,
  created,
  resourceVersion: '1',
  conditions: [],
});

const exported = (cluster: string, created: string, over: Partial<MeshService> = {}): Exported => ({
  export: exp(cluster, created),
  service: svc(cluster, over),
});

const T1 = '2025-01-01T00:00:01Z';
const T2 = '2025-01-01T00:00:02Z';

describe('validity', () => {
  const cases: { name: string; e: Exported; want: string }[] = [
    { name: 'a ClusterIP Service', e: exported('b', T1), want: 'valid' },
    { name: 'no Service', e: { export: exp('b', T1), service: undefined }, want: 'NoService' },
    { name: 'ExternalName', e: exported('b', T1, { type: 'ExternalName' }), want: 'InvalidServiceType' },
  ];
  for (const c of cases)
    it(c.name, () => {
      const v = validity(c.e);
      assert.equal(v.valid ? 'valid' : v.reason, c.want);
    });
});

describe('mergePorts (union by name and protocol, oldest first)', () => {
  const p = (name: string, port: number, protocol = 'TCP'): ImportPort => ({ name, port, protocol });
  const cases: { name: string; in: [string, ImportPort[]][]; ports: string[]; problems: number }[] = [
    {
      name: 'same ports',
      in: [
        ['b', [p('tcp', 80)]],
        ['c', [p('tcp', 80)]],
      ],
      ports: ['tcp:80/TCP'],
      problems: 0,
    },
    {
      name: 'disjoint ports are joined',
      in: [
        ['b', [p('http', 80)]],
        ['c', [p('metrics', 9090)]],
      ],
      ports: ['http:80/TCP', 'metrics:9090/TCP'],
      problems: 0,
    },
    {
      name: 'same name, other number: the oldest wins',
      in: [
        ['b', [p('tcp', 80)]],
        ['c', [p('tcp', 81)]],
      ],
      ports: ['tcp:80/TCP'],
      problems: 1,
    },
    {
      name: 'same name, other protocol: the oldest wins',
      in: [
        ['b', [p('dns', 53)]],
        ['c', [p('dns', 53, 'UDP')]],
      ],
      ports: ['dns:53/TCP'],
      problems: 1,
    },
    {
      name: 'same name and port, other appProtocol: the oldest wins',
      in: [
        ['b', [{ ...p('web', 80), appProtocol: 'http' }]],
        ['c', [{ ...p('web', 80), appProtocol: 'kubernetes.io/h2c' }]],
      ],
      ports: ['web:80/TCP'],
      problems: 1,
    },
    {
      name: 'same name and port, appProtocol on one side only: the oldest wins',
      in: [
        ['b', [p('web', 80)]],
        ['c', [{ ...p('web', 80), appProtocol: 'http' }]],
      ],
      ports: ['web:80/TCP'],
      problems: 1,
    },
    {
      name: 'same number and protocol, other name: the oldest wins',
      in: [
        ['b', [p('http', 80)]],
        ['c', [p('web', 80)]],
      ],
      ports: ['http:80/TCP'],
      problems: 1,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const r = mergePorts(c.in.map(([cluster, ports]) => ({ cluster, ports })));
      assert.deepEqual(
        r.ports.map((x) => `${x.name}:${x.port}/${x.protocol}`),
        c.ports,
      );
      assert.equal(r.problems.length, c.problems, r.problems.join('; '));
    });
  it('names both appProtocols and the clusters in the conflict', () => {
    const r = mergePorts([
      { cluster: 'b', ports: [{ name: 'web', port: 80, protocol: 'TCP', appProtocol: 'http' }] },
      { cluster: 'c', ports: [{ name: 'web', port: 80, protocol: 'TCP' }] },
    ]);
    assert.deepEqual(r.problems, ['port "web" has appProtocol "http" in cluster b but none in cluster c']);
    assert.equal(r.ports[0]?.appProtocol, 'http');
  });
});

describe('mergeExports (oldest export wins)', () => {
  it('orders by creationTimestamp, then cluster name', () => {
    const list = [exported('c', T1), exported('b', T2), exported('a', T1)];
    assert.deepEqual(
      oldestFirst(list).map((e) => e.export.cluster),
      ['a', 'c', 'b'],
    );
  });

  const cases: {
    name: string;
    list: Exported[];
    reasons: string[];
    check: (m: ReturnType<typeof mergeExports>) => void;
  }[] = [
    {
      name: 'agreeing exports: ClusterSetIP, no conflict',
      list: [exported('c', T2), exported('b', T1)],
      reasons: [],
      check: (m) => {
        assert.equal(m.type, 'ClusterSetIP');
        assert.deepEqual(m.clusters, ['b', 'c']);
        assert.equal(m.winner, 'b');
      },
    },
    {
      name: 'headless exports import as Headless',
      list: [exported('b', T1, { clusterIP: 'None' })],
      reasons: [],
      check: (m) => assert.equal(m.type, 'Headless'),
    },
    {
      name: 'a port conflict keeps the older port and names both clusters',
      list: [exported('c', T2, { ports: [{ name: 'tcp', protocol: 'TCP', port: 81 }] }), exported('b', T1)],
      reasons: ['PortConflict'],
      check: (m) => {
        assert.deepEqual(m.ports, [{ name: 'tcp', protocol: 'TCP', port: 80 }]);
        assert.match(m.conflict!.message, /80\/TCP in cluster b but 81\/TCP in cluster c/);
      },
    },
    {
      name: 'a type conflict takes the oldest type',
      list: [exported('b', T2, { clusterIP: 'None' }), exported('c', T1)],
      reasons: ['TypeConflict'],
      check: (m) => assert.equal(m.type, 'ClusterSetIP'),
    },
    {
      name: 'session affinity and its timeout',
      list: [exported('b', T1, { affinity: { timeoutSeconds: 60 } }), exported('c', T2)],
      reasons: ['SessionAffinityConflict'],
      check: (m) => {
        assert.equal(m.sessionAffinity, 'ClientIP');
        assert.equal(m.timeoutSeconds, 60);
      },
    },
    {
      name: 'same affinity, other timeout',
      list: [exported('b', T1, { affinity: { timeoutSeconds: 60 } }), exported('c', T2, { affinity: {} })],
      reasons: ['SessionAffinityConfigConflict'],
      check: () => undefined,
    },
    {
      name: 'several conflicts at once',
      list: [
        exported('b', T1),
        exported('c', T2, { clusterIP: 'None', ports: [{ name: 'tcp', protocol: 'UDP', port: 80 }] }),
      ],
      reasons: ['PortConflict', 'TypeConflict'],
      check: () => undefined,
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const m = mergeExports(c.list);
      assert.deepEqual(m.conflict?.reasons ?? [], c.reasons);
      c.check(m);
    });
});

describe('export conditions', () => {
  const now = new Date('2025-01-01T00:01:00Z');
  it('a valid export without conflict: Valid, Ready, Conflict False/NoConflicts', () => {
    const m = mergeExports([exported('b', T1)]);
    const cs = exportConditions({ valid: true }, m, [], now);
    assert.deepEqual(
      cs.map((c) => `${c.type}=${c.status}/${c.reason}`),
      ['Valid=True/Valid', 'Ready=True/Ready', 'Conflict=False/NoConflicts'],
    );
  });

  it('every export of a conflicting Service reports the reasons, joined by commas', () => {
    const m = mergeExports([exported('b', T1), exported('c', T2, { clusterIP: 'None', affinity: {} })]);
    const c = exportConditions({ valid: true }, m, [], now).find((x) => x.type === 'Conflict')!;
    assert.equal(`${c.status}/${c.reason}`, 'True/TypeConflict,SessionAffinityConflict');
  });

  it('an export without Service is not valid, not ready', () => {
    const v = validity({ export: exp('b', T1), service: undefined });
    const cs = exportConditions(v, undefined, [], now);
    assert.deepEqual(
      cs.map((c) => `${c.type}=${c.status}/${c.reason}`),
      ['Valid=False/NoService', 'Ready=False/Failed', 'Conflict=False/NoConflicts'],
    );
  });

  it('keeps lastTransitionTime while a status holds, and compares without it', () => {
    const m = mergeExports([exported('b', T1)]);
    const first = exportConditions({ valid: true }, m, [], now);
    const later = exportConditions({ valid: true }, m, first, new Date('2025-01-02T00:00:00Z'));
    assert.deepEqual(later, first);
    assert.ok(sameConditions(first, [...first].reverse()));
  });
});

describe('derivedServiceName', () => {
  it('is upstream\'s: "derived-" and 10 base32hex characters of sha256("<namespace>/<name>")', () => {
    assert.equal(derivedServiceName('shop', 'db'), 'derived-lme1lvla1u');
    assert.match(derivedServiceName('a', 'b'), /^derived-[0-9a-v]{10}$/);
  });
});
