// crd-client.ts: the measuring side of `npm run bench -- crd`, run as a child process so that no
// server under test shares a process (or its event loop) with the clients that time it. It takes
// commands over IPC: time a list, open watches, report when watchers saw a change.
import { Agent, request } from 'node:https';
import { quantile } from './stats.js';

/** Server says how to reach one server under test. */
export interface Server {
  url: string;
  ca: string;
  cert: string;
  key: string;
}

/** Command is what the parent asks for; each gets one Reply. */
export type Command =
  | { op: 'list'; server: Server; path: string; accept: string; runs: number; probe?: string }
  | { op: 'watch'; id: string; server: Server; path: string; watchers: number }
  | { op: 'seen'; id: string; name: string; watchers: number; timeoutMs: number }
  | { op: 'close' };

/** Reply answers a Command: list timings, or event arrival times (epoch milliseconds). */
export type Reply =
  { ms: number[]; bytes: number; probeMs: number[] } | { at: number[] } | { ok: true } | { error: string };

/** now is a high-resolution epoch time, comparable between processes on one machine. */
export const now = (): number => performance.timeOrigin + performance.now();

const agents = new Map<string, Agent>();
const agentFor = (s: Server): Agent => {
  let a = agents.get(s.url);
  if (!a) {
    a = new Agent({ keepAlive: true, maxSockets: Infinity, ca: s.ca, cert: s.cert, key: s.key });
    agents.set(s.url, a);
  }
  return a;
};

function get(s: Server, path: string, accept: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${s.url}${path}`, { agent: agentFor(s), headers: { Accept: accept } }, (res) => {
      let bytes = 0;
      res.on('data', (d: Buffer) => (bytes += d.length));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(bytes) : reject(new Error(`GET ${path}: HTTP ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

// list times c.runs lists; with c.probe, it also GETs that path over and over (10 ms apart) during
// each list and reports the slowest probe of each run: how long the server kept others waiting.
async function list(c: Extract<Command, { op: 'list' }>): Promise<Reply> {
  const ms: number[] = [];
  const probeMs: number[] = [];
  let bytes = 0;
  await get(c.server, c.path, c.accept); // warm: connection, caches
  for (let i = 0; i < c.runs; i++) {
    let listing = true;
    let slowest = 0;
    const probing = (async () => {
      while (c.probe && listing) {
        const p = performance.now();
        await get(c.server, c.probe, 'application/json');
        slowest = Math.max(slowest, performance.now() - p);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const t = performance.now();
    bytes = await get(c.server, c.path, c.accept);
    ms.push(performance.now() - t);
    listing = false;
    await probing;
    probeMs.push(slowest);
  }
  return { ms, bytes, probeMs };
}

/** Watches are the open watch requests of one id, with the arrival times of each object's events. */
interface Watches {
  close(): void;
  seen: Map<string, number[]>;
}
const watches = new Map<string, Watches>();

async function watch(c: Extract<Command, { op: 'watch' }>): Promise<Reply> {
  const seen = new Map<string, number[]>();
  const reqs: ReturnType<typeof request>[] = [];
  let opened = 0;
  await new Promise<void>((resolve, reject) => {
    const open = (): void => {
      const req = request(`${c.server.url}${c.path}`, { agent: agentFor(c.server) }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`watch ${c.path}: HTTP ${res.statusCode}`));
        if (++opened === c.watchers) resolve();
        let buf = '';
        res.on('data', (d: Buffer) => {
          const at = now();
          buf += d.toString();
          for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            const m = /"name":"([^"]+)"/.exec(line);
            if (m) seen.set(m[1]!, [...(seen.get(m[1]!) ?? []), at]);
          }
        });
      });
      req.on('error', reject);
      req.end();
      reqs.push(req);
    };
    // A few at a time: a thousand TLS handshakes at once overflow the listen backlog.
    for (let i = 0; i < c.watchers; i++) setTimeout(open, Math.floor(i / 20) * 50);
  });
  watches.set(c.id, { close: () => reqs.forEach((r) => r.destroy()), seen });
  return { ok: true };
}

async function seen(c: Extract<Command, { op: 'seen' }>): Promise<Reply> {
  const w = watches.get(c.id);
  if (!w) return { error: `no watches ${c.id}` };
  const deadline = Date.now() + c.timeoutMs;
  while ((w.seen.get(c.name)?.length ?? 0) < c.watchers && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 5));
  return { at: w.seen.get(c.name) ?? [] };
}

async function handle(c: Command): Promise<Reply> {
  switch (c.op) {
    case 'list':
      return list(c);
    case 'watch':
      return watch(c);
    case 'seen':
      return seen(c);
    case 'close':
      for (const w of watches.values()) w.close();
      for (const a of agents.values()) a.destroy();
      setImmediate(() => process.disconnect?.());
      return { ok: true };
  }
}

/** spread formats samples as median (min-max). */
export const spread = (xs: number[], digits = 0): string =>
  `${quantile(xs, 0.5).toFixed(digits)} (${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)})`;

if (process.send) {
  process.on('message', (c: Command) => {
    handle(c).then(
      (r) => process.send!(r),
      (err: unknown) => process.send!({ error: err instanceof Error ? err.message : String(err) }),
    );
  });
}
