// nodestatus.ts: writes one of the agent's states on its own Node as a condition (FedmeshOverlayReady,
// FedmeshPolicyReady) with a strategic merge patch of nodes/status, merged by condition type, so
// the kubelet's conditions are untouched. A patch is sent when the state changes, at most once per minIntervalMs (the last
// state wins), and as a heartbeat every heartbeatMs; a failed patch is retried at the next report.
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** ConditionReport is what a condition says: True or False, a reason and a message. */
export interface ConditionReport {
  status: 'True' | 'False';
  reason: string;
  message: string;
}

/** NodeStatusOptions configure a NodeStatus writer. */
export interface NodeStatusOptions {
  kc: KubeConfig;
  /** type is the condition type written. */
  type: string;
  nodeName: string;
  minIntervalMs: number;
  heartbeatMs: number;
  log: (msg: string) => void;
  now?: () => number;
}

interface Written {
  status: string;
  reason: string;
  message: string;
  at: number;
  transition: string;
}

/** NodeStatus reports one condition on the Node object, rate-limited. */
export class NodeStatus {
  private written?: Written;
  private pending?: ConditionReport;
  private timer?: NodeJS.Timeout;
  private sending?: Promise<void>;
  private readonly now: () => number;

  constructor(private readonly o: NodeStatusOptions) {
    this.now = o.now ?? Date.now;
  }

  /** report records the latest state; it is written now, later (rate limit), or not at all (unchanged). */
  report(s: ConditionReport): void {
    this.pending = s;
    if (this.timer || this.sending) return;
    const w = this.written;
    const wait = w ? w.at + this.o.minIntervalMs - this.now() : 0;
    if (wait > 0) this.timer = setTimeout(() => this.flush(), wait);
    else this.flush();
  }

  /** stop cancels a pending write and waits for one in flight. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    await this.sending;
  }

  private flush(): void {
    this.timer = undefined;
    const s = this.pending;
    this.pending = undefined;
    if (!s) return;
    const { status, message } = s;
    const w = this.written;
    const same = w && w.status === status && w.reason === s.reason && w.message === message;
    if (same && this.now() - w.at < this.o.heartbeatMs) return;
    const transition = w && w.status === status ? w.transition : new Date(this.now()).toISOString();
    this.sending = this.patch({ status, reason: s.reason, message, at: this.now(), transition })
      .catch((err: unknown) => this.o.log(`cannot write the node's ${this.o.type} condition: ${String(err)}`))
      .finally(() => {
        this.sending = undefined;
        if (this.pending) this.report(this.pending);
      });
  }

  private async patch(w: Written): Promise<void> {
    const body = JSON.stringify({
      status: {
        conditions: [
          {
            type: this.o.type,
            status: w.status,
            reason: w.reason,
            message: w.message,
            lastHeartbeatTime: new Date(w.at).toISOString(),
            lastTransitionTime: w.transition,
          },
        ],
      },
    });
    await send(this.o.kc, `/api/v1/nodes/${encodeURIComponent(this.o.nodeName)}/status`, body);
    this.written = w;
  }
}

// send PATCHes a strategic merge patch and resolves on 2xx.
async function send(kc: KubeConfig, path: string, body: string): Promise<void> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(path, server);
  const opts: https.RequestOptions = {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/strategic-merge-patch+json', Accept: 'application/json' },
    timeout: 10_000,
  };
  await kc.applyToHTTPSOptions(opts);
  const mod = url.protocol === 'http:' ? http : https;
  await new Promise<void>((resolve, reject) => {
    const req = mod.request(url, opts, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        if (code >= 200 && code < 300) resolve();
        else reject(new Error(`HTTP ${code}: ${text.slice(0, 200)}`));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(body);
  });
}
