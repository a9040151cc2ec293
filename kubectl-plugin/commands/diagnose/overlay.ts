// overlay.ts: diagnose's overlay checks: every node's fedmesh-node reports FedmeshOverlayReady=True,
// recently, with a fix per reason. Nothing is checked when fedmesh-node is not installed and no node
// reports (a mesh without the overlay).
import type { OverlayReason } from '../../../api/index.js';
import { age } from '../status/rows.js';
import type { NodeOverlay } from '../status/nodes.js';
import { fail, ok, warn, type Result } from './result.js';

/** STALE_MS: a report older than this means the node's agent stopped (it heartbeats every 5 min). */
export const STALE_MS = 15 * 60_000;

const logs = (node: string): string =>
  `kubectl -n fedmesh logs $(kubectl -n fedmesh get pod -l app.kubernetes.io/name=fedmesh-node --field-selector spec.nodeName=${node} -o name)`;

// FIXES gives the next step for every reason the condition can have.
const FIXES: Record<OverlayReason, (n: NodeOverlay) => string> = {
  Programmed: (n) => logs(n.node),
  Waiting: (n) =>
    /underlay address|InternalIP|FederatedHostEndpoint/.test(n.lastError ?? '')
      ? `the Node's InternalIP must be an address of the node itself: kubectl get node ${n.node} -o wide; kubectl get federatedhostendpoints`
      : /MeshConfiguration/.test(n.lastError ?? '')
        ? 'create MeshConfiguration default: kubectl mesh install'
        : `wait for fedmesh-node to list the mesh, else read its log: ${logs(n.node)}`,
  ReconcileFailed: (n) =>
    `the node's kernel refused a change (another device on the VXLAN port? NET_ADMIN missing?): ${logs(n.node)}`,
};

/** overlayChecks checks each node's overlay condition. */
export function overlayChecks(nodes: NodeOverlay[], installed: boolean, now = Date.now()): Result[] {
  const reporting = nodes.filter((n) => n.ready !== 'Unknown');
  if (!reporting.length)
    return installed && nodes.length
      ? [
          fail(
            `no node reports the overlay (FedmeshOverlayReady) although fedmesh-node is installed`,
            'kubectl -n fedmesh get pods -l app.kubernetes.io/name=fedmesh-node -o wide',
          ),
        ]
      : [];
  const out: Result[] = [];
  for (const n of nodes) {
    const beat = n.lastHeartbeatTime ? Date.parse(n.lastHeartbeatTime) : NaN;
    if (n.ready === 'Unknown')
      out.push(warn(`node ${n.node}: no overlay report (fedmesh-node not running there?)`, logs(n.node)));
    else if (n.ready === 'False') {
      const fix = FIXES[n.reason as OverlayReason] ?? FIXES.Programmed;
      out.push(
        fail(`node ${n.node}: overlay not ready (${n.reason ?? 'Unknown'}): ${n.lastError ?? ''}`, fix(n)),
      );
    } else if (now - beat > STALE_MS)
      out.push(
        warn(`node ${n.node}: overlay last reported ${age(n.lastHeartbeatTime, now)} ago`, logs(n.node)),
      );
    else
      out.push(
        ok(`node ${n.node}: overlay ready (${n.remoteNodes ?? 0} remote nodes, ${n.routes ?? 0} routes)`),
      );
  }
  return out;
}
