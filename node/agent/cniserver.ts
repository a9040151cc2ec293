// cniserver.ts: fedmesh-node's side of the unix socket fedmesh-cni talks to. It keeps the pods
// registered on this node, answers an ADD once the pod's policy is in place (admit), and hands
// out the pod MTU the overlay needs.
import { mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Attachment, PodRegistration, Reply, Request } from '../cni/protocol.js';

const key = (a: Attachment): string => `${a.containerID}/${a.ifname}`;

/** CniServerOptions configure the socket server. */
export interface CniServerOptions {
  path: string;
  /** mtu is the pod MTU to hand out (undefined: leave the primary plugin's). */
  mtu: () => number | undefined;
  /** ready tells STATUS whether the agent can serve pods (first reconcile done). */
  ready: () => boolean;
  /** changed is called after the registered pods changed. */
  changed?: () => void;
  /** admit is awaited before an ADD is answered: an error message refuses it (policy not in place). */
  admit?: (pod: PodRegistration) => Promise<string | undefined>;
}

/** CniServer serves fedmesh-cni's requests. */
export class CniServer {
  private readonly pods = new Map<string, PodRegistration>();
  private server?: Server;

  constructor(private readonly o: CniServerOptions) {}

  /** registered lists the registered pods, sorted by container ID. */
  registered(): PodRegistration[] {
    return [...this.pods.values()].sort((a, b) => (key(a) < key(b) ? -1 : 1));
  }

  /** listen creates the socket (replacing a stale one) and serves until close(). */
  async listen(): Promise<void> {
    mkdirSync(dirname(this.o.path), { recursive: true });
    rmSync(this.o.path, { force: true });
    // Half-open: a request ends with the client's FIN, and the reply is written after it.
    const server = createServer({ allowHalfOpen: true }, (c) => this.serve(c));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.path, () => resolve());
    });
    this.server = server;
  }

  /** close stops serving and removes the socket. */
  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    rmSync(this.o.path, { force: true });
  }

  /** answer handles one request. */
  answer(req: Request): Reply {
    switch (req.op) {
      case 'add':
        this.pods.set(key(req.pod), req.pod);
        this.o.changed?.();
        return this.withMTU({ ok: true });
      case 'check':
        if (!this.pods.has(key(req.attachment)))
          return { ok: false, error: `pod ${key(req.attachment)} is not registered` };
        return this.withMTU({ ok: true, known: true });
      case 'del': {
        const known = this.pods.delete(key(req.attachment));
        if (known) this.o.changed?.();
        return { ok: true, known };
      }
      case 'gc': {
        const valid = new Set(req.valid.map(key));
        let removed = 0;
        for (const [k, p] of this.pods)
          if (p.network === req.network && !valid.has(k) && this.pods.delete(k)) removed++;
        if (removed) this.o.changed?.();
        return { ok: true, removed };
      }
      case 'status':
        return this.o.ready() ? { ok: true } : { ok: false, error: 'fedmesh-node has not reconciled yet' };
      default:
        return { ok: false, error: `unknown op ${JSON.stringify((req as { op?: unknown }).op)}` };
    }
  }

  private withMTU(r: Reply & { ok: true }): Reply {
    const mtu = this.o.mtu();
    return mtu === undefined ? r : { ...r, mtu };
  }

  private serve(c: Socket): void {
    let buf = '';
    c.setEncoding('utf8');
    c.on('error', () => c.destroy());
    c.on('data', (d: string) => {
      buf += d;
      if (buf.length > 1 << 20) c.destroy();
    });
    c.on('end', () => void this.reply(buf).then((reply) => c.end(JSON.stringify(reply) + '\n')));
  }

  // reply answers one request; an ADD waits for admit (the pod's policy) before its answer.
  private async reply(buf: string): Promise<Reply> {
    let req: Request;
    try {
      req = JSON.parse(buf) as Request;
    } catch (err) {
      return { ok: false, error: `bad request: ${(err as Error).message}` };
    }
    const reply = this.answer(req);
    if (req.op !== 'add' || !reply.ok || !this.o.admit) return reply;
    const refused = await this.o.admit(req.pod).catch((err: unknown) => String(err));
    return refused ? { ok: false, error: refused } : reply;
  }
}
