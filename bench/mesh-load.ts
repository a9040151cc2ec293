// mesh-load.ts: the clients of `npm run bench -- mesh`, run as a child process so that their work is
// not counted as fedmesh's: they create the pods of the real clusters (as a kubelet would leave
// them: Running, Ready, with a pod IP, set through the status subresource), time the reference
// lists, patch pod labels at a steady rate and time when each change shows in the watches.
import { Agent, request } from 'node:https';
import { serveCommands, now, type Target } from './mesh-ipc.js';
import { Watchers, type WatchSpec, type Samples } from './mesh-watch.js';

/** NAMESPACES is how many namespaces the pods of each real cluster are spread over. */
export const NAMESPACES = 20;

/** LoadCommand is what bench/mesh.ts asks of this process. */
export type LoadCommand =
  | { op: 'populate'; clusters: Target[]; pods: number }
  | { op: 'list'; target: Target; runs: number }
  | { op: 'watch'; spec: WatchSpec }
  | { op: 'start'; clusters: Target[]; pods: number; perClusterPerSecond: number }
  | { op: 'mark' }
  | { op: 'stop'; settleMs: number };

/** LoadResult is what a steady phase did and saw (latencies in ms). */
export interface LoadResult extends Samples {
  patches: number;
  seconds: number;
  failed: number;
}

/** realIP is the address of pod i in every real cluster (10.0.1.0 on: 10.0.0.0/24 holds Services). */
export const realIP = (i: number): string => `10.0.${1 + (i >> 8)}.${i & 255}`;

const agents = new Map<string, Agent>();
function agentFor(t: Target): Agent {
  let a = agents.get(t.url);
  if (!a)
    agents.set(
      t.url,
      (a = new Agent({ keepAlive: true, maxSockets: 32, ca: t.ca, cert: t.cert, key: t.key })),
    );
  return a;
}

/** call sends one request and resolves with its status and body. */
export function call(
  t: Target,
  method: string,
  path: string,
  body?: unknown,
  type = 'application/json',
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': type };
    if (t.token) headers.Authorization = `Bearer ${t.token}`;
    const req = request(`${t.url}${path}`, { method, agent: agentFor(t), headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

// must is call, retried while an overloaded kube-apiserver sheds load (429, 503), failing otherwise.
async function must(t: Target, method: string, path: string, body: unknown, type?: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const r = await call(t, method, path, body, type);
    if (r.status >= 200 && r.status < 300) return;
    if ((r.status !== 429 && r.status !== 503) || attempt === 10)
      throw new Error(`${method} ${path}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
    await new Promise((res) => setTimeout(res, 100 * attempt));
  }
}

const podPath = (i: number): string => `/api/v1/namespaces/bench-${i % NAMESPACES}/pods`;

async function createPod(t: Target, i: number): Promise<void> {
  await must(t, 'POST', podPath(i), {
    metadata: {
      name: `pod-${i}`,
      labels: { app: `app-${i % 200}`, tier: ['web', 'api', 'data'][i % 3]!, version: `v${i % 5}` },
    },
    spec: {
      nodeName: `node-${i % 100}`,
      containers: [
        { name: 'app', image: 'registry.example/app:1', ports: [{ name: 'http', containerPort: 8080 }] },
      ],
    },
  });
  const ip = realIP(i);
  const status = {
    phase: 'Running',
    podIP: ip,
    podIPs: [{ ip }],
    conditions: [{ type: 'Ready', status: 'True' }],
  };
  await must(t, 'PATCH', `${podPath(i)}/pod-${i}/status`, { status }, 'application/merge-patch+json');
}

// populate creates every cluster's namespaces and pods, 24 requests at a time per cluster.
async function populate(c: Extract<LoadCommand, { op: 'populate' }>): Promise<{ ms: number }> {
  const t0 = now();
  let made = 0;
  const progress = setInterval(
    () => console.error(`mesh: ${made}/${c.pods * c.clusters.length} pods created and Running`),
    10_000,
  );
  try {
    await Promise.all(
      c.clusters.map(async (t) => {
        for (let n = 0; n < NAMESPACES; n++)
          await must(t, 'POST', '/api/v1/namespaces', { metadata: { name: `bench-${n}` } });
        let next = 0;
        const worker = async (): Promise<void> => {
          for (let i = next++; i < c.pods; i = next++, made++) await createPod(t, i);
        };
        await Promise.all(Array.from({ length: 24 }, worker));
      }),
    );
  } finally {
    clearInterval(progress);
  }
  return { ms: now() - t0 };
}

// list times reading every pod of a cluster in pages of 500, as fedmesh's syncer lists.
async function list(c: Extract<LoadCommand, { op: 'list' }>): Promise<{ ms: number[]; items: number }> {
  const ms: number[] = [];
  let items = 0;
  for (let run = 0; run < c.runs; run++) {
    const t0 = now();
    let cont = '';
    items = 0;
    do {
      const r = await call(
        c.target,
        'GET',
        `/api/v1/pods?limit=500${cont && `&continue=${encodeURIComponent(cont)}`}`,
      );
      if (r.status !== 200) throw new Error(`list pods: HTTP ${r.status}`);
      const page = JSON.parse(r.body) as { items: unknown[]; metadata: { continue?: string } };
      items += page.items.length;
      cont = page.metadata.continue ?? '';
    } while (cont);
    ms.push(now() - t0);
  }
  return { ms, items };
}

/** Load patches a label of the real clusters' pods, each cluster at the same rate. */
class Load {
  #timer?: NodeJS.Timeout;
  #seq = 0;
  #sent = 0;
  #failed = 0;
  #since = 0;
  #markSeq = 0;

  constructor(
    private readonly c: Extract<LoadCommand, { op: 'start' }>,
    private readonly w: Watchers,
  ) {}

  start(): void {
    const t0 = now();
    const issued = this.c.clusters.map(() => 0);
    this.#since = t0;
    // Every 5 ms, send what is due so far: the rate holds even when a tick is late.
    this.#timer = setInterval(() => {
      const due = Math.floor(((now() - t0) / 1000) * this.c.perClusterPerSecond);
      this.c.clusters.forEach((t, r) => {
        for (; issued[r]! < due; issued[r]!++) this.#patch(t, r, issued[r]!);
      });
    }, 5);
  }

  #patch(t: Target, r: number, n: number): void {
    const seq = ++this.#seq;
    const i = n % this.c.pods; // every pod in turn
    const body = { metadata: { labels: { change: String(seq) } } };
    this.w.sent(seq, r, now());
    this.#sent++;
    call(t, 'PATCH', `${podPath(i)}/pod-${i}`, body, 'application/merge-patch+json').then(
      (res) => void (res.status !== 200 && this.#failed++),
      () => void this.#failed++,
    );
  }

  /** mark starts the measured window: only changes sent from now on count. */
  mark(): void {
    this.#markSeq = this.#seq + 1;
    this.#sent = this.#failed = 0;
    this.#since = now();
  }

  async stop(settleMs: number): Promise<LoadResult> {
    clearInterval(this.#timer);
    const seconds = (now() - this.#since) / 1000;
    const patches = this.#sent;
    await this.w.settle(this.#markSeq, settleMs);
    return { patches, seconds, failed: this.#failed, ...this.w.samples(this.#markSeq) };
  }
}

let watchers: Watchers | undefined;
let load: Load | undefined;

async function handle(c: LoadCommand): Promise<unknown> {
  switch (c.op) {
    case 'populate':
      return populate(c);
    case 'list':
      return list(c);
    case 'watch':
      watchers = new Watchers(c.spec, (t) => agentFor(t));
      await watchers.open();
      return { ok: true };
    case 'start':
      if (!watchers) throw new Error('start before watch');
      load = new Load(c, watchers);
      load.start();
      return { ok: true };
    case 'mark':
      load?.mark();
      return { ok: true };
    case 'stop': {
      if (!load) throw new Error('stop before start');
      const r = await load.stop(c.settleMs);
      watchers?.close();
      return r;
    }
  }
}

if (process.send) serveCommands<LoadCommand>(handle);
