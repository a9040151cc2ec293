// nodes.ts: the overlay as each node's fedmesh-node reports it (the FedmeshOverlayReady condition on
// the Node), one row per node, and per remote cluster how many of its nodes every local node programmed.
import type { KubeConfig } from '@kubernetes/client-node';
import { OVERLAY_CONDITION, parseOverlayMessage } from '../../../api/index.js';
import type { Column } from '../../cli/printer.js';
import { condition, request } from '../../kube/index.js';
import { age } from './rows.js';

/** NodeOverlay is one node's line in the overlay table of `kubectl mesh status`. */
export interface NodeOverlay {
  node: string;
  /** ready is the condition's status; 'Unknown' when the node does not report. */
  ready: 'True' | 'False' | 'Unknown';
  reason?: string;
  remoteNodes?: number;
  routes?: number;
  /** clusters counts the programmed remote nodes per remote cluster. */
  clusters?: Record<string, number>;
  lastHeartbeatTime?: string;
  lastError?: string;
}

interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastHeartbeatTime?: string;
}
interface Node {
  metadata: { name: string };
  status?: { conditions?: NodeCondition[] };
}

/** nodeOverlay reads one Node's condition. */
export function nodeOverlay(n: Node): NodeOverlay {
  const c = condition(n.status?.conditions, OVERLAY_CONDITION);
  if (!c) return { node: n.metadata.name, ready: 'Unknown' };
  const parsed = parseOverlayMessage(c.message ?? '');
  const clusters = parsed?.clusters ?? {};
  return {
    node: n.metadata.name,
    ready: c.status === 'True' ? 'True' : 'False',
    reason: c.reason,
    remoteNodes: parsed ? Object.values(clusters).reduce((a, b) => a + b, 0) : undefined,
    routes: parsed?.routes,
    clusters,
    lastHeartbeatTime: c.lastHeartbeatTime,
    lastError: parsed ? parsed.error : c.message,
  };
}

/** listNodeOverlays reads every Node's overlay condition, sorted by node name. */
export async function listNodeOverlays(kc: KubeConfig): Promise<NodeOverlay[]> {
  const r = await request(kc, 'GET', '/api/v1/nodes');
  const items = (r.body as { items?: Node[] }).items ?? [];
  return items.map(nodeOverlay).sort((a, b) => a.node.localeCompare(b.node));
}

/** programmedOf is, for remote cluster c, the fewest of its nodes any reporting local node programmed. */
export function programmedOf(nodes: NodeOverlay[], c: string): number | undefined {
  const counts = nodes.filter((n) => n.ready !== 'Unknown').map((n) => n.clusters?.[c] ?? 0);
  return counts.length ? Math.min(...counts) : undefined;
}

const TRUNCATE = 60;

/** nodeColumns are the overlay table's columns; LAST ERROR is truncated unless wide. */
export function nodeColumns(wide: boolean, now = Date.now()): Column<NodeOverlay>[] {
  const cut = (s: string | undefined): string | undefined =>
    s === undefined || wide || s.length <= TRUNCATE ? s : s.slice(0, TRUNCATE - 3) + '...';
  return [
    { header: 'node', get: (r) => r.node },
    { header: 'overlay ready', get: (r) => r.ready },
    { header: 'reason', get: (r) => r.reason ?? (r.ready === 'Unknown' ? 'NotReporting' : undefined) },
    { header: 'remote nodes', get: (r) => r.remoteNodes },
    { header: 'routes', get: (r) => r.routes },
    { header: 'reported', get: (r) => age(r.lastHeartbeatTime, now) },
    { header: 'last error', get: (r) => cut(r.lastError) },
  ];
}
