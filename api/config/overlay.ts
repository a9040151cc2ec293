// overlay.ts: the condition fedmesh-node writes on its own Node object, and the one format of its
// message, so the writer (node/agent) and the readers (kubectl mesh status and diagnose) agree.

/** OVERLAY_CONDITION is the Node condition type fedmesh-node owns. */
export const OVERLAY_CONDITION = 'FedmeshOverlayReady';

/** OverlayReason is why the overlay is (Programmed) or is not (Waiting, ReconcileFailed) ready. */
export type OverlayReason = 'Programmed' | 'Waiting' | 'ReconcileFailed';

/** OverlayState is what one node's agent reports: counts of what it programmed, and why not. */
export interface OverlayState {
  reason: OverlayReason;
  /** remote nodes programmed, per remote cluster. */
  clusters: Record<string, number>;
  routes: number;
  /** error is what the agent waits for or what failed last. */
  error?: string;
}

/** overlayMessage renders a state as the condition's message (parsed back by parseOverlayMessage). */
export function overlayMessage(s: OverlayState): string {
  const names = Object.keys(s.clusters).sort();
  const total = names.reduce((n, c) => n + (s.clusters[c] ?? 0), 0);
  const per = names.map((c) => `${c} ${s.clusters[c]}`).join(', ');
  const head = `${total} remote nodes (${per}), ${s.routes} routes`;
  return s.error ? `${head}; last error: ${s.error}` : head;
}

const MESSAGE = /^(\d+) remote nodes \(([^)]*)\), (\d+) routes(?:; last error: ([\s\S]*))?$/;

/** parseOverlayMessage reads a condition message back; undefined when it is not in that format. */
export function parseOverlayMessage(
  message: string,
): { clusters: Record<string, number>; routes: number; error?: string } | undefined {
  const m = MESSAGE.exec(message);
  if (!m) return undefined;
  const clusters: Record<string, number> = {};
  for (const part of (m[2] ?? '').split(', ').filter(Boolean)) {
    const i = part.lastIndexOf(' ');
    clusters[part.slice(0, i)] = Number(part.slice(i + 1));
  }
  return { clusters, routes: Number(m[3]), ...(m[4] ? { error: m[4] } : {}) };
}
