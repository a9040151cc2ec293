// protocol.ts: what fedmesh-cni and fedmesh-node say to each other over the node's unix socket:
// one JSON request per connection, one JSON reply, then the connection closes.
import { connect } from 'node:net';

/** DEFAULT_SOCKET is where fedmesh-node listens for fedmesh-cni. */
export const DEFAULT_SOCKET = '/run/fedmesh/cni.sock';

/** Attachment identifies one pod interface, as the CNI runtime does. */
export interface Attachment {
  containerID: string;
  ifname: string;
}

/** PodRegistration is what fedmesh-cni tells fedmesh-node about a pod on ADD. */
export interface PodRegistration extends Attachment {
  network: string;
  netns: string;
  podNamespace?: string;
  podName?: string;
  ips: string[];
}

/** Request is one request of fedmesh-cni. */
export type Request =
  | { op: 'add'; pod: PodRegistration }
  | { op: 'check'; attachment: Attachment }
  | { op: 'del'; attachment: Attachment }
  | { op: 'gc'; network: string; valid: Attachment[] }
  | { op: 'status' };

/** Reply is fedmesh-node's answer; mtu is the pod MTU the overlay needs (absent in routed mode). */
export type Reply =
  { ok: true; mtu?: number; known?: boolean; removed?: number } | { ok: false; error: string };

/** ask sends one request to the agent at socket and resolves with its reply. */
export function ask(socket: string, req: Request, timeoutMs: number): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const conn = connect(socket);
    let buf = '';
    const timer = setTimeout(() => {
      conn.destroy();
      reject(new Error(`no answer from fedmesh-node on ${socket} within ${timeoutMs} ms`));
    }, timeoutMs);
    conn.setEncoding('utf8');
    conn.on('data', (d: string) => (buf += d));
    conn.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    conn.once('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(buf) as Reply);
      } catch {
        reject(new Error(`fedmesh-node answered ${JSON.stringify(buf.slice(0, 200))}`));
      }
    });
    conn.end(JSON.stringify(req) + '\n');
  });
}
