// mesh-proxy.ts: the virtual clusters of `npm run bench -- mesh`, run as a child process so that
// their work is not counted as fedmesh's. A virtual cluster is an HTTPS reverse proxy on 127.0.0.1
// in front of one real kube-apiserver: it forwards every request with the client's Authorization
// header (fedmesh's reader token of the real cluster; the proxy holds no credential of its own)
// and rewrites the JSON it answers, lists and watch streams alike, chunk by chunk, so that every
// address of the real cluster's 10.0.0.0/16 becomes the virtual cluster's 10.<octet>.0.0/16.
// Pod IPs are the only addresses the real clusters hold besides the `kubernetes` Service's
// 10.0.0.1, which moves with them: no two virtual clusters share an address. fedmesh names each
// virtual cluster's objects <cluster>.<name> and derives their UIDs from the cluster name, so
// names, UIDs and host endpoints (the real clusters have no Node objects) need no rewriting.
import { Agent, createServer, request, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { serveCommands } from './mesh-ipc.js';

/** VirtualCluster is one proxy: the second octet of its pod range and the real kube-apiserver behind it. */
export interface VirtualCluster {
  octet: number;
  upstream: string;
  upstreamCA: string;
}

/** ProxyCommand is what bench/mesh.ts asks of this process. */
export type ProxyCommand =
  { op: 'start'; certPem: string; keyPem: string; clusters: VirtualCluster[] } | { op: 'stats' };

/** ProxyStats count what the proxies sent to their clients since start. */
export interface ProxyStats {
  requests: number;
  bytes: number;
}

const REAL = /"10\.0\.(\d{1,3}\.\d{1,3})"/g;
// A chunk may end inside an address: from its opening quote on, what could still become one.
const PARTIAL = /^"(?:1(?:0(?:\.(?:0(?:\.(?:\d{1,3}(?:\.\d{0,3})?)?)?)?)?)?)?$/;
const WHOLE_AT_END = /"10\.0\.\d{1,3}\.\d{1,3}"$/;

/** safeEnd returns how much of buf can be rewritten now: all of it, unless it ends in what may be
 * the start of an address. A bare quote at the end is the closing quote of an address just before
 * it, or an opening quote (JSON puts no digit after a closing quote, so a longer tail opens). */
export function safeEnd(buf: string): number {
  const q = buf.lastIndexOf('"');
  if (q < 0) return buf.length;
  const tail = buf.slice(q);
  if (!PARTIAL.test(tail)) return buf.length;
  if (tail === '"' && WHOLE_AT_END.test(buf)) return buf.length;
  return q;
}

/** Rewriter moves 10.0.0.0/16 to 10.<octet>.0.0/16 in a JSON stream split anywhere (UTF-8 too). */
export class Rewriter {
  #carry = '';
  readonly #to: string;
  readonly #utf8 = new StringDecoder('utf8');

  constructor(octet: number) {
    this.#to = `"10.${octet}.$1"`;
  }

  /** push takes the next chunk and returns the text that can be sent now. */
  push(chunk: Buffer): string {
    const buf = this.#carry + this.#utf8.write(chunk);
    const cut = safeEnd(buf);
    this.#carry = buf.slice(cut);
    return buf.slice(0, cut).replace(REAL, this.#to);
  }

  /** end returns the rest at the end of the stream. */
  end(): string {
    const rest = this.#carry + this.#utf8.end();
    this.#carry = '';
    return rest.replace(REAL, this.#to);
  }
}

const stats: ProxyStats = { requests: 0, bytes: 0 };
// Hop-by-hop headers, and Accept-Encoding: a compressed body could not be rewritten.
const NOT_FORWARDED = ['connection', 'keep-alive', 'transfer-encoding', 'host', 'accept-encoding'];

function without<T extends object>(headers: T, names: string[]): T {
  const out = { ...headers } as Record<string, unknown>;
  for (const n of names) delete out[n];
  return out as T;
}

// relay sends the upstream answer on, rewritten when it is JSON, pausing while the client lags.
function relay(vc: VirtualCluster, up: IncomingMessage, res: ServerResponse): void {
  const json = (up.headers['content-type'] ?? '').startsWith('application/json');
  res.writeHead(
    up.statusCode ?? 502,
    without(up.headers, json ? [...NOT_FORWARDED, 'content-length'] : NOT_FORWARDED),
  );
  res.flushHeaders(); // a watch with nothing to report yet must still be answered
  const rw = json ? new Rewriter(vc.octet) : undefined;
  const send = (s: string | Buffer): void => {
    if (s.length === 0) return;
    stats.bytes += s.length;
    if (!res.write(s)) {
      up.pause();
      res.once('drain', () => up.resume());
    }
  };
  up.on('data', (d: Buffer) => send(rw ? rw.push(d) : d));
  up.on('end', () => {
    if (rw) send(rw.end());
    res.end();
  });
  up.on('error', () => res.destroy());
}

function forward(vc: VirtualCluster, agent: Agent, req: IncomingMessage, res: ServerResponse): void {
  stats.requests++;
  let done = false;
  const up = request(
    `${vc.upstream}${req.url}`,
    { method: req.method, headers: without(req.headers, NOT_FORWARDED), agent },
    (u) => {
      u.once('end', () => (done = true));
      relay(vc, u, res);
    },
  );
  up.on('error', (err) => {
    if (res.headersSent) return void res.destroy();
    res.writeHead(502, { 'Content-Type': 'text/plain' }).end(`mesh proxy: ${err.message}`);
  });
  // A client that goes away (a watch stopped) ends the upstream request too.
  res.on('close', () => {
    if (!done) up.destroy();
  });
  req.pipe(up);
}

async function start(c: Extract<ProxyCommand, { op: 'start' }>): Promise<{ ports: number[] }> {
  const agents = new Map<string, Agent>();
  const servers: Server[] = [];
  for (const vc of c.clusters) {
    let agent = agents.get(vc.upstream);
    if (!agent) agents.set(vc.upstream, (agent = new Agent({ keepAlive: true, ca: vc.upstreamCA })));
    const a = agent;
    const server = createServer({ cert: c.certPem, key: c.keyPem, noDelay: true }, (req, res) =>
      forward(vc, a, req, res),
    );
    // Idle connections stay open, as kube-apiserver keeps them: Node's 5 s default closes a
    // kept-alive connection the moment a client may reuse it (a reset the client reports).
    server.keepAliveTimeout = 0;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  return { ports: servers.map((s) => (s.address() as AddressInfo).port) };
}

if (process.send) {
  serveCommands<ProxyCommand>(async (c) => (c.op === 'start' ? start(c) : { ...stats }));
}
