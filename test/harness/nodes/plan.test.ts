// plan.test.ts: the node plan gives every node of every cluster its own underlay address, pod
// CIDR inside its cluster's CIDR, and names that fit the kernel's limits, and rejects bad input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allNodes, planNodes } from './plan.js';

describe('planNodes', () => {
  it('lays out two clusters of two nodes in a slot', () => {
    const p = planNodes(137, ['cluster-a', 'cluster-b'], 2);
    assert.equal(p.hostIP, '198.18.137.1');
    assert.equal(p.bridge, 'fm137br');
    assert.equal(p.podSupernet, '10.137.0.0/16');
    assert.deepEqual(
      p.clusters.map((c) => [c.name, c.clusterCIDR]),
      [
        ['cluster-a', '10.137.0.0/20'],
        ['cluster-b', '10.137.16.0/20'],
      ],
    );
    assert.deepEqual(
      allNodes(p).map((n) => [n.name, n.ip, n.podCIDR, n.podGateway, n.netns, n.hostVeth, n.cgroup]),
      [
        [
          'cluster-a-node-1',
          '198.18.137.11',
          '10.137.1.0/24',
          '10.137.1.1',
          'fm137-cluster-a-node-1',
          'fm137v1',
          '/fm137/cluster-a-node-1',
        ],
        [
          'cluster-a-node-2',
          '198.18.137.12',
          '10.137.2.0/24',
          '10.137.2.1',
          'fm137-cluster-a-node-2',
          'fm137v2',
          '/fm137/cluster-a-node-2',
        ],
        [
          'cluster-b-node-1',
          '198.18.137.13',
          '10.137.17.0/24',
          '10.137.17.1',
          'fm137-cluster-b-node-1',
          'fm137v3',
          '/fm137/cluster-b-node-1',
        ],
        [
          'cluster-b-node-2',
          '198.18.137.14',
          '10.137.18.0/24',
          '10.137.18.1',
          'fm137-cluster-b-node-2',
          'fm137v4',
          '/fm137/cluster-b-node-2',
        ],
      ],
    );
  });

  it('keeps every name an interface may take within 15 characters at the largest plan', () => {
    const p = planNodes(
      249,
      Array.from({ length: 16 }, (_, i) => `c${i}`),
      15,
    );
    const names = [p.bridge, ...allNodes(p).map((n) => n.hostVeth)];
    assert.ok(
      names.every((n) => n.length <= 15),
      names.filter((n) => n.length > 15).join(', '),
    );
    assert.equal(new Set(allNodes(p).map((n) => n.ip)).size, 240);
    assert.equal(new Set(allNodes(p).map((n) => n.podCIDR)).size, 240);
  });

  const bad: [string, () => unknown, RegExp][] = [
    ['a slot below the range', () => planNodes(99, ['a'], 1), /slot 99 outside 100-249/],
    ['a slot above the range', () => planNodes(250, ['a'], 1), /slot 250 outside/],
    ['no clusters', () => planNodes(120, [], 1), /1 to 16 clusters, got 0/],
    ['zero nodes', () => planNodes(120, ['a'], 0), /nodes per cluster must be 1 to 15, got 0/],
    ['16 nodes', () => planNodes(120, ['a'], 16), /got 16/],
  ];
  for (const [name, fn, want] of bad) it(`rejects ${name}`, () => assert.throws(fn, want));
});
