// overlay.test.ts: what status and diagnose make of each node's FedmeshOverlayReady condition.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OVERLAY_CONDITION, overlayMessage, type OverlayState } from '../../../api/index.js';
import { nodeOverlay, programmedOf, type NodeOverlay } from '../status/nodes.js';
import { overlayChecks, STALE_MS } from './overlay.js';

const NOW = Date.parse('2026-01-01T01:00:00Z');
const T = new Date(NOW - 60_000).toISOString();

function node(name: string, s?: OverlayState, heartbeat = T): NodeOverlay {
  const conditions = s
    ? [
        {
          type: OVERLAY_CONDITION,
          status: s.reason === 'Programmed' ? 'True' : 'False',
          reason: s.reason,
          message: overlayMessage(s),
          lastHeartbeatTime: heartbeat,
        },
      ]
    : [];
  return nodeOverlay({ metadata: { name }, status: { conditions } });
}

const programmed = (west: number): OverlayState => ({
  reason: 'Programmed',
  clusters: { west, south: 1 },
  routes: west + 1,
});

describe('node overlay condition', () => {
  it('the message round-trips counts per cluster, routes and the last error', () => {
    const n = node('n1', { ...programmed(2), reason: 'ReconcileFailed', error: 'exit 2: (a, b)' });
    assert.deepEqual(
      [n.ready, n.reason, n.remoteNodes, n.routes, n.clusters, n.lastError],
      ['False', 'ReconcileFailed', 3, 3, { south: 1, west: 2 }, 'exit 2: (a, b)'],
    );
  });

  it('a remote cluster counts the fewest of its nodes any local node programmed', () => {
    const nodes = [node('n1', programmed(3)), node('n2', programmed(2)), node('n3')];
    assert.equal(programmedOf(nodes, 'west'), 2);
    assert.equal(programmedOf(nodes, 'north'), 0);
    assert.equal(programmedOf([node('n3')], 'west'), undefined);
  });
});

describe('diagnose: overlay checks', () => {
  const cases: { name: string; nodes: NodeOverlay[]; installed: boolean; want: [string, RegExp][] }[] = [
    { name: 'no overlay installed, nothing reported', nodes: [node('n1')], installed: false, want: [] },
    {
      name: 'installed but no node reports',
      nodes: [node('n1')],
      installed: true,
      want: [['FAIL', /no node reports the overlay/]],
    },
    {
      name: 'ready, not reporting, and stale',
      nodes: [
        node('n1', programmed(1)),
        node('n2'),
        node('n3', programmed(1), new Date(NOW - STALE_MS - 1).toISOString()),
      ],
      installed: true,
      want: [
        ['OK', /node n1: overlay ready \(2 remote nodes, 2 routes\)/],
        ['WARN', /node n2: no overlay report/],
        ['WARN', /node n3: overlay last reported 15m ago/],
      ],
    },
    {
      name: 'waiting for its underlay address, and a failed reconcile',
      nodes: [
        node('n1', {
          reason: 'Waiting',
          clusters: {},
          routes: 0,
          error: "no device carries this node's underlay address 198.18.0.9",
        }),
        node('n2', { ...programmed(1), reason: 'ReconcileFailed', error: 'RTNETLINK answers: File exists' }),
      ],
      installed: true,
      want: [
        ['FAIL', /node n1: overlay not ready \(Waiting\): no device carries .* 198\.18\.0\.9/],
        ['FAIL', /node n2: overlay not ready \(ReconcileFailed\): RTNETLINK answers: File exists/],
      ],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const got = overlayChecks(c.nodes, c.installed, NOW);
      assert.deepEqual(
        got.map((r) => r.level),
        c.want.map((w) => w[0]),
      );
      c.want.forEach((w, i) => assert.match(got[i]!.message, w[1]));
      for (const r of got.filter((r) => r.level !== 'OK')) assert.ok(r.fix, `${r.message} has a fix`);
    });
});
