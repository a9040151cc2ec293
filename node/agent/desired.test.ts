// desired.test.ts: from MeshConfiguration and FederatedHostEndpoints to the node's desired state.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { vtepMAC, type FederatedHostEndpoint, type MeshConfiguration } from '../../api/index.js';
import { plan } from './desired.js';

const mc = (overlay?: Partial<MeshConfiguration['spec']['overlay']>): MeshConfiguration => ({
  apiVersion: 'config.federated.mesh/v1alpha1',
  kind: 'MeshConfiguration',
  metadata: { name: 'default' },
  spec: {
    clusterName: 'east',
    ...(overlay ? { overlay: { enabled: true, udpPort: 4789, vni: 4299, ...overlay } } : {}),
  } as MeshConfiguration['spec'],
});
const host = (cluster: string, node: string, ip: string, cidrs: string[]): FederatedHostEndpoint => ({
  apiVersion: 'federated.mesh/v1alpha1',
  kind: 'FederatedHostEndpoint',
  metadata: { name: `${cluster}.${node}` },
  spec: {
    cluster,
    node,
    addresses: [{ type: 'InternalIP', address: ip }],
    podCIDRs: cidrs,
    tunnel: { address: ip, mac: vtepMAC(cluster, node) },
  },
  status: {},
});
const hosts = [
  host('east', 'n1', '198.18.0.1', ['10.1.0.0/24']),
  host('east', 'n2', '198.18.0.2', ['10.1.1.0/24']),
  host('west', 'w1', '198.18.0.9', ['10.2.0.0/24', 'fd00:2::/64']),
];
const uplink = (a: string): { name: string; mtu: number } | undefined =>
  a === '198.18.0.1' ? { name: 'eth0', mtu: 1500 } : undefined;

describe('agent desired state', () => {
  it("VXLAN by default: peers are the other clusters' nodes, the pod MTU is the uplink MTU minus 50", () => {
    const p = plan(mc(), hosts, 'n1', uplink);
    assert.ok('desired' in p);
    assert.deepEqual(p.desired.overlay, {
      vni: 4299,
      port: 4789,
      local: '198.18.0.1',
      uplink: 'eth0',
      mac: vtepMAC('east', 'n1'),
    });
    assert.deepEqual(
      p.desired.peers.map((x) => x.key),
      ['west.w1'],
    );
    assert.equal(p.podMTU, 1450);
  });

  it('takes VNI, port and MTU from MeshConfiguration', () => {
    const p = plan(mc({ vni: 77, udpPort: 8472, mtu: 1400 }), hosts, 'n1', uplink);
    assert.ok('desired' in p);
    assert.deepEqual(
      [p.desired.overlay?.vni, p.desired.overlay?.port, p.desired.overlay?.mtu, p.podMTU],
      [77, 8472, 1400, 1400],
    );
  });

  it('routed mode when the overlay is disabled: peers for the exemption, no device, MTU left alone', () => {
    const p = plan(mc({ enabled: false }), hosts, 'n1', uplink);
    assert.ok('desired' in p);
    assert.equal(p.desired.overlay, undefined);
    assert.equal(p.desired.peers.length, 1);
    assert.equal(p.podMTU, undefined);
  });

  const waits: { name: string; args: Parameters<typeof plan>; reason: RegExp }[] = [
    { name: 'no MeshConfiguration', args: [undefined, hosts, 'n1', uplink], reason: /no MeshConfiguration/ },
    {
      name: 'own node not listed yet',
      args: [mc(), hosts, 'n9', uplink],
      reason: /no FederatedHostEndpoint for this node \(east\.n9\)/,
    },
    { name: 'underlay address on no device', args: [mc(), hosts, 'n2', uplink], reason: /no device carries/ },
  ];
  for (const w of waits)
    it(`waits, saying why, when ${w.name}`, () => {
      const p = plan(...w.args);
      assert.ok('wait' in p);
      assert.match(p.wait, w.reason);
    });
});
