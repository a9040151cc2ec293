// fsvcreal-watch.ts: EndpointSlice watches for the fsvcreal benchmark: every event is timestamped
// on arrival, counted (writes per second) and offered to waiters that resolve when a slice of a
// Service shows an address with a given ready condition.
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { Agent, request } from 'node:https';
import type { Cluster } from '../test/harness/cluster.js';

/** SliceWatch follows EndpointSlices matching a label selector in one cluster. */
export interface SliceWatch {
  /** times are the arrival times (performance.now()) of every event so far. */
  times: number[];
  /** names are the slices seen (added and not deleted). */
  names: Map<string, V1EndpointSlice>;
  /** until resolves with the arrival time of the first event after which the address of service has the ready condition. */
  until(service: string, address: string, ready: boolean, timeoutMs?: number): Promise<number>;
  /** opened resolves once the watch's response has begun (events from then on are seen). */
  opened: Promise<void>;
  stop(): void;
}

type Waiter = { service: string; address: string; ready: boolean; done: (t: number) => void };

const shows = (s: V1EndpointSlice, w: Waiter): boolean =>
  s.metadata?.labels?.['kubernetes.io/service-name'] === w.service &&
  (s.endpoints ?? []).some(
    (e) => e.addresses.includes(w.address) && (e.conditions?.ready ?? true) === w.ready,
  );

/** watchSlices opens a watch on every namespace's EndpointSlices with the label selector. */
export function watchSlices(c: Cluster, labelSelector: string): SliceWatch {
  const agent = new Agent({
    keepAlive: true,
    ca: c.pki.servingCA.certPem,
    cert: c.pki.admin.certPem,
    key: c.pki.admin.keyPem,
  });
  const times: number[] = [];
  const names = new Map<string, V1EndpointSlice>();
  const waiters = new Set<Waiter>();
  const path = `/apis/discovery.k8s.io/v1/endpointslices?watch=true&labelSelector=${encodeURIComponent(labelSelector)}`;
  let markOpen = (): void => undefined;
  const opened = new Promise<void>((r) => (markOpen = r));
  const req = request(`${c.url}${path}`, { agent }, (res) => {
    markOpen();
    let buf = '';
    res.on('data', (d: Buffer) => {
      const now = performance.now();
      buf += d.toString();
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const ev = JSON.parse(buf.slice(0, nl)) as { type: string; object: V1EndpointSlice };
        buf = buf.slice(nl + 1);
        if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') continue;
        times.push(now);
        const key = `${ev.object.metadata!.namespace}/${ev.object.metadata!.name}`;
        if (ev.type === 'DELETED') names.delete(key);
        else names.set(key, ev.object);
        for (const w of waiters) if (ev.type !== 'DELETED' && shows(ev.object, w)) w.done(now);
      }
    });
  });
  req.on('error', (err) => {
    if (!stopped) console.error(`fsvcreal: watch of ${c.name} slices ended: ${err.message}`);
  });
  req.end();
  let stopped = false;
  const until = (service: string, address: string, ready: boolean, timeoutMs = 60_000): Promise<number> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`${c.name}: ${service} did not show ${address} ready=${ready} in ${timeoutMs} ms`));
      }, timeoutMs);
      const w: Waiter = {
        service,
        address,
        ready,
        done: (t) => {
          clearTimeout(timer);
          waiters.delete(w);
          resolve(t);
        },
      };
      waiters.add(w);
    });
  return {
    times,
    names,
    until,
    opened,
    stop: () => {
      stopped = true;
      req.destroy();
      agent.destroy();
    },
  };
}

/** perSecond counts the times in each whole second from the first (a last, partial second is left out). */
export function perSecond(times: number[]): number[] {
  if (times.length === 0) return [];
  const t0 = times[0]!;
  const bins = new Array<number>(Math.max(1, Math.floor((times[times.length - 1]! - t0) / 1000))).fill(0);
  for (const t of times) {
    const i = Math.floor((t - t0) / 1000);
    if (i < bins.length) bins[i]!++;
  }
  return bins;
}
