// mesh-watch.ts: the watches that time propagation in `npm run bench -- mesh`: each real cluster's
// own watch of its pods (the reference), the same watch through the proxy of one of its virtual
// clusters (the hop fedmesh's syncer also takes), and a watch of FederatedEndpoints in the home
// cluster (home kube-apiserver's aggregator, fedmesh, a proxy, the real cluster). Every change is a
// label `change=<seq>`, so each sighting names the change it shows.
import { request, type Agent } from 'node:https';
import { now, type Target } from './mesh-ipc.js';

/** WatchSpec says what to watch: per real cluster, its own watch, a proxied one and its virtual clusters. */
export interface WatchSpec {
  home: Target;
  /** fedmesh-apiserver itself, without the home kube-apiserver's aggregator in front. */
  fedmesh: Target;
  sources: Target[];
  proxied: Target[];
  /** The virtual clusters of each real cluster: each change shows once per virtual cluster at home. */
  virtual: string[][];
}

/** Samples are latencies from the PATCH request (ms) and the home watch's overhead over each reference. */
export interface Samples {
  source: number[];
  proxied: number[];
  home: number[];
  /** home minus the source cluster's own watch of the same change, per virtual cluster. */
  overhead: number[];
  /** home minus the proxied watch of the same change (the overhead without the proxy's hop). */
  overProxied: number[];
  /** The watch directly on fedmesh, and its overhead over the source's own watch. */
  direct: number[];
  overDirect: number[];
  expectedHome: number;
}

const SELECTED = 'watch=1&labelSelector=change';
const FEP = '/apis/federated.mesh/v1alpha1/federatedendpoints';

interface WatchEvent {
  type: string;
  object: { metadata?: { name?: string; labels?: Record<string, string> } };
}

// perCluster records the first sighting of each change per virtual cluster (<cluster>.<pod>).
const perCluster =
  (m: Map<number, Map<string, number>>) =>
  (ev: WatchEvent, at: number, seq: number): void => {
    const name = ev.object.metadata?.name ?? '';
    const vc = name.slice(0, name.indexOf('.'));
    let seen = m.get(seq);
    if (!seen) m.set(seq, (seen = new Map<string, number>()));
    if (!seen.has(vc)) seen.set(vc, at);
  };

/** Watchers hold the open watches and every first sighting of each change. */
export class Watchers {
  readonly #sent = new Map<number, { at: number; cluster: number }>();
  readonly #source = new Map<number, number>();
  readonly #proxied = new Map<number, number>();
  /** seq → virtual cluster → time, through the aggregator and directly. */
  readonly #home = new Map<number, Map<string, number>>();
  readonly #direct = new Map<number, Map<string, number>>();
  readonly #reqs: ReturnType<typeof request>[] = [];
  #closed = false;

  constructor(
    private readonly spec: WatchSpec,
    private readonly agentFor: (t: Target) => Agent,
  ) {}

  /** open starts every watch and resolves once each has answered 200. */
  async open(): Promise<void> {
    const firstSeen = (m: Map<number, number>) => (_ev: WatchEvent, at: number, seq: number) => {
      if (!m.has(seq)) m.set(seq, at);
    };
    await Promise.all([
      ...this.spec.sources.map((t) => this.#watch(t, `/api/v1/pods?${SELECTED}`, firstSeen(this.#source))),
      ...this.spec.proxied.map((t) => this.#watch(t, `/api/v1/pods?${SELECTED}`, firstSeen(this.#proxied))),
      this.#watch(this.spec.home, await this.#fromNow(this.spec.home), perCluster(this.#home)),
      this.#watch(this.spec.fedmesh, await this.#fromNow(this.spec.fedmesh), perCluster(this.#direct)),
    ]);
  }

  // fromNow is a watch of FederatedEndpoints from their current resourceVersion: without one,
  // fedmesh first streams the matching state, scanning every endpoint while live events wait.
  async #fromNow(t: Target): Promise<string> {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(`${t.url}${FEP}?limit=1`, { agent: this.agentFor(t) }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () =>
          res.statusCode === 200 ? resolve(text) : reject(new Error(`HTTP ${res.statusCode}`)),
        );
      });
      req.on('error', reject);
      req.end();
    });
    const rv = (JSON.parse(body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
    return `${FEP}?${SELECTED}&resourceVersion=${rv}`;
  }

  #watch(t: Target, path: string, seen: (ev: WatchEvent, at: number, seq: number) => void): Promise<void> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (t.token) headers.Authorization = `Bearer ${t.token}`;
      const req = request(`${t.url}${path}`, { agent: this.agentFor(t), headers }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`watch ${t.url}${path}: HTTP ${res.statusCode}`));
        resolve();
        let buf = '';
        res.setEncoding('utf8');
        res.on('end', () => {
          if (!this.#closed) console.error(`mesh: watch ${t.url}${path} ended early`);
        });
        res.on('data', (d: string) => {
          const at = now();
          buf += d;
          for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
            const ev = JSON.parse(buf.slice(0, nl)) as WatchEvent;
            buf = buf.slice(nl + 1);
            if (ev.type === 'ERROR') console.error(`mesh: watch ${t.url}: ${JSON.stringify(ev.object)}`);
            const seq = Number(ev.object.metadata?.labels?.change);
            if ((ev.type === 'ADDED' || ev.type === 'MODIFIED') && seq > 0) seen(ev, at, seq);
          }
        });
      });
      req.on('error', reject);
      req.end();
      this.#reqs.push(req);
    });
  }

  /** sent records when change seq was sent to real cluster `cluster`. */
  sent(seq: number, cluster: number, at: number): void {
    this.#sent.set(seq, { at, cluster });
  }

  #missing(from: number): number {
    let missing = 0;
    for (const [seq, s] of this.#sent)
      if (seq >= from) missing += this.spec.virtual[s.cluster]!.length - (this.#home.get(seq)?.size ?? 0);
    return missing;
  }

  /** settle waits until home has seen every change from seq `from` on, or ms have passed. */
  async settle(from: number, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.#missing(from) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  }

  /** samples returns the latencies of the changes from seq `from` on. */
  samples(from: number): Samples {
    const out: Samples = {
      source: [],
      proxied: [],
      home: [],
      overhead: [],
      overProxied: [],
      direct: [],
      overDirect: [],
      expectedHome: 0,
    };
    for (const [seq, s] of this.#sent) {
      if (seq < from) continue;
      const src = this.#source.get(seq);
      const prox = this.#proxied.get(seq);
      if (src !== undefined) out.source.push(src - s.at);
      if (prox !== undefined) out.proxied.push(prox - s.at);
      const home = this.#home.get(seq);
      const direct = this.#direct.get(seq);
      for (const vc of this.spec.virtual[s.cluster]!) {
        out.expectedHome++;
        const d = direct?.get(vc);
        if (d !== undefined) out.direct.push(d - s.at);
        if (d !== undefined && src !== undefined) out.overDirect.push(d - src);
        const h = home?.get(vc);
        if (h === undefined) continue;
        out.home.push(h - s.at);
        if (src !== undefined) out.overhead.push(h - src);
        if (prox !== undefined) out.overProxied.push(h - prox);
      }
    }
    return out;
  }

  close(): void {
    this.#closed = true;
    for (const r of this.#reqs) r.destroy();
  }
}
