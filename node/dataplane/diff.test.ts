// diff.test.ts: the diff between desired entries and kernel state, as tables of named cases (no
// kernel needed): what is created, what is left alone, what is reported.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linkLocalFromMAC, outermost } from './addr.js';
import { expand } from './desired.js';
import { diff } from './diff.js';
import { EXEMPT_RULES } from './nft.js';
import type { Observed } from './observe.js';
import { DEVICE, type Desired, type Overlay } from './types.js';

const overlay: Overlay = {
  vni: 42,
  port: 4789,
  local: '198.18.0.1',
  uplink: 'eth0',
  mac: '02:00:00:00:00:01',
};
const west2 = {
  key: 'west.n2',
  cluster: 'west',
  address: '198.18.0.2',
  mac: '02:00:00:00:00:02',
  podCIDRs: ['10.2.0.0/24', 'fd00:2::/64'],
};
const empty = (): Observed => ({
  routes: new Map(),
  foreign: new Set(),
  neighbours: new Map(),
  fdb: new Map(),
});

// applied is the kernel state after the desired state was programmed.
function applied(d: Desired): Observed {
  const e = expand(d);
  return {
    link: d.overlay && { ...d.overlay, mtu: 1450, up: true },
    routes: new Map([...e.routes].map(([k, r]) => [k, { ...r }])),
    foreign: new Set(),
    neighbours: new Map(e.neighbours),
    fdb: new Map(e.fdb),
    nft: { mesh4: e.mesh4, mesh6: e.mesh6, rules: EXEMPT_RULES },
  };
}

describe('dataplane diff', () => {
  const cases: {
    name: string;
    desired: Desired;
    observed: Observed;
    ip: string[];
    bridge: string[];
    nft: boolean;
    skipped?: string[];
  }[] = [
    {
      name: 'from nothing: device, neighbours, routes, FDB entry and nft table',
      desired: { overlay, peers: [west2] },
      observed: empty(),
      ip: [
        `link add ${DEVICE} type vxlan id 42 local 198.18.0.1 dev eth0 dstport 4789 nolearning`,
        `link set ${DEVICE} address 02:00:00:00:00:01 up`,
        `neigh replace 198.18.0.2 lladdr 02:00:00:00:00:02 dev ${DEVICE} nud permanent`,
        `neigh replace fe80::ff:fe00:2 lladdr 02:00:00:00:00:02 dev ${DEVICE} nud permanent`,
        `route replace 10.2.0.0/24 via 198.18.0.2 dev ${DEVICE} onlink proto 211`,
        `route replace fd00:2::/64 via fe80::ff:fe00:2 dev ${DEVICE} proto 211`,
      ],
      bridge: [`fdb replace 02:00:00:00:00:02 dev ${DEVICE} dst 198.18.0.2 self permanent`],
      nft: true,
    },
    {
      name: 'state already in place: nothing',
      desired: { overlay, peers: [west2] },
      observed: applied({ overlay, peers: [west2] }),
      ip: [],
      bridge: [],
      nft: false,
    },
    {
      name: 'peer removed: its route, neighbours and FDB entry go, the table is rewritten',
      desired: { overlay, peers: [] },
      observed: applied({ overlay, peers: [west2] }),
      ip: [
        'route del 10.2.0.0/24 proto 211',
        'route del fd00:2::/64 proto 211',
        `neigh del 198.18.0.2 dev ${DEVICE}`,
        `neigh del fe80::ff:fe00:2 dev ${DEVICE}`,
      ],
      bridge: [`fdb del 02:00:00:00:00:02 dev ${DEVICE} dst 198.18.0.2 self`],
      nft: true,
    },
    {
      name: 'a destination held by a foreign route is skipped',
      desired: { overlay, peers: [west2] },
      observed: { ...applied({ overlay, peers: [] }), foreign: new Set(['10.2.0.0/24']), nft: undefined },
      ip: [
        `neigh replace 198.18.0.2 lladdr 02:00:00:00:00:02 dev ${DEVICE} nud permanent`,
        `neigh replace fe80::ff:fe00:2 lladdr 02:00:00:00:00:02 dev ${DEVICE} nud permanent`,
        `route replace fd00:2::/64 via fe80::ff:fe00:2 dev ${DEVICE} proto 211`,
      ],
      bridge: [`fdb replace 02:00:00:00:00:02 dev ${DEVICE} dst 198.18.0.2 self permanent`],
      nft: true,
      skipped: ['10.2.0.0/24'],
    },
    {
      name: 'routed mode: the device goes (its entries with it), the exemption stays',
      desired: { peers: [west2] },
      observed: applied({ overlay, peers: [west2] }),
      ip: [`link del ${DEVICE}`],
      bridge: [],
      nft: false,
    },
    {
      name: 'VNI changed: the device is recreated and refilled',
      desired: { overlay: { ...overlay, vni: 7 }, peers: [west2] },
      observed: applied({ overlay, peers: [west2] }),
      ip: [
        `link del ${DEVICE}`,
        `link add ${DEVICE} type vxlan id 7 local 198.18.0.1 dev eth0 dstport 4789 nolearning`,
        `link set ${DEVICE} address 02:00:00:00:00:01 up`,
        `neigh replace 198.18.0.2 lladdr 02:00:00:00:00:02 dev ${DEVICE} nud permanent`,
        `neigh replace fe80::ff:fe00:2 lladdr 02:00:00:00:00:02 dev ${DEVICE} nud permanent`,
        `route replace 10.2.0.0/24 via 198.18.0.2 dev ${DEVICE} onlink proto 211`,
        `route replace fd00:2::/64 via fe80::ff:fe00:2 dev ${DEVICE} proto 211`,
      ],
      bridge: [`fdb replace 02:00:00:00:00:02 dev ${DEVICE} dst 198.18.0.2 self permanent`],
      nft: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = diff(c.desired.overlay, expand(c.desired), c.observed);
      assert.deepEqual(got.ip, c.ip);
      assert.deepEqual(got.bridge, c.bridge);
      assert.equal(!!got.nft, c.nft);
      assert.deepEqual(got.skipped, c.skipped ?? []);
    });
  }

  it('reports a pod CIDR two peers claim; the first peer by name keeps it', () => {
    const other = {
      ...west2,
      key: 'west.n9',
      address: '198.18.0.9',
      mac: '02:00:00:00:00:09',
      podCIDRs: ['10.2.0.0/24'],
    };
    const e = expand({ overlay, peers: [other, west2] });
    assert.equal(e.routes.get('10.2.0.0/24')?.gateway, '198.18.0.2');
    assert.deepEqual(e.conflicts, ['west.n9: 10.2.0.0/24']);
  });

  it('derives the IPv6 next hop the kernel gives a VTEP MAC (EUI-64)', () => {
    assert.equal(linkLocalFromMAC('02:fe:c6:12:00:02'), 'fe80::fe:c6ff:fe12:2');
  });

  it('keeps only outermost CIDRs, canonical, for the nft interval sets', () => {
    assert.deepEqual(
      outermost(['10.0.0.0/8', '10.1.2.3/24', '192.168.1.0/24', 'fd00:0:0::/48', 'fd00::1/64', 'junk']),
      ['10.0.0.0/8', '192.168.1.0/24', 'fd00::/48'],
    );
  });
});
