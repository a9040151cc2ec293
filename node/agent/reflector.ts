// reflector.ts: list then watch one cluster-scoped resource of the local API server, keeping every
// object by name: relists on 410 Gone and after errors (capped backoff), resumes watches from the
// last resourceVersion (bookmarks included), and reports each change to onChange.
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { Backoff } from '../../core/backoff.js';

interface Obj {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

/** Change is one change a reflector saw: an object stored or deleted under its key, or a relist
 * (after which items holds the new state and any object may have changed). */
export type Change<T> =
  | { type: 'upsert'; key: string; obj: T; prev?: T }
  | { type: 'delete'; key: string; prev: T }
  | { type: 'relist'; prev: Map<string, T> };

/** keyOf is namespace/name for namespaced objects and name otherwise. */
export const keyOf = (o: Obj): string | undefined =>
  o.metadata?.name && (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);
interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T & { code?: number; message?: string };
}

class Gone extends Error {}

/** Reflector mirrors one resource (path like /apis/<group>/<version>/<plural>), keyed by keyOf. */
export class Reflector<T extends Obj> {
  readonly items = new Map<string, T>();
  /** synced turns true after the first complete list. */
  synced = false;
  /** lastError is the last list or watch failure, cleared by a successful list. */
  lastError?: string;
  private rv = '';
  private stopped = false;
  private current?: http.ClientRequest;
  private readonly backoff = new Backoff({ initialMs: 500, maxMs: 30_000 });

  constructor(
    private readonly kc: KubeConfig,
    readonly path: string,
    private readonly onChange: (c: Change<T>) => void,
  ) {}

  /** run lists and watches until stop(). */
  async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.list();
        for (;;) await this.watch();
      } catch (err) {
        if (this.stopped) return;
        if (!(err instanceof Gone)) {
          this.lastError = `${this.path}: ${(err as Error).message}`;
          await new Promise((r) => setTimeout(r, this.backoff.next()));
        }
      }
    }
  }

  /** stop ends the watch. */
  stop(): void {
    this.stopped = true;
    this.current?.destroy();
  }

  private async list(): Promise<void> {
    const text = await this.get(this.path);
    const list = JSON.parse(text) as { items?: T[]; metadata?: { resourceVersion?: string } };
    const prev = new Map(this.items);
    this.items.clear();
    for (const o of list.items ?? []) {
      const key = keyOf(o);
      if (key) this.items.set(key, o);
    }
    this.rv = list.metadata?.resourceVersion ?? '';
    this.synced = true;
    this.lastError = undefined;
    this.backoff.reset();
    this.onChange({ type: 'relist', prev });
  }

  private async watch(): Promise<void> {
    const q = `${this.path.includes('?') ? '&' : '?'}watch=1&allowWatchBookmarks=true&timeoutSeconds=300&resourceVersion=${encodeURIComponent(this.rv)}`;
    await this.get(this.path + q, (line) => this.event(JSON.parse(line) as WatchEvent<T>));
  }

  private event(e: WatchEvent<T>): void {
    if (e.type === 'ERROR') {
      if (e.object.code === 410) throw new Gone();
      throw new Error(`watch error: ${e.object.message ?? JSON.stringify(e.object)}`);
    }
    const rv = e.object.metadata?.resourceVersion;
    if (rv) this.rv = rv;
    if (e.type === 'BOOKMARK') return;
    const key = keyOf(e.object);
    if (!key) return;
    const prev = this.items.get(key);
    if (e.type === 'DELETED') {
      this.items.delete(key);
      if (prev) this.onChange({ type: 'delete', key, prev });
    } else {
      this.items.set(key, e.object);
      this.onChange({ type: 'upsert', key, obj: e.object, ...(prev && { prev }) });
    }
  }

  // get sends a GET; with onLine set it streams newline-delimited JSON (a watch) until the end.
  private async get(path: string, onLine?: (line: string) => void): Promise<string> {
    const server = this.kc.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig has no current cluster');
    const url = new URL(path, server);
    const opts: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
    await this.kc.applyToHTTPSOptions(opts);
    const mod = url.protocol === 'http:' ? http : https;
    return new Promise((resolve, reject) => {
      const req = mod.request(url, opts, (res) => {
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          buf += d;
          if (res.statusCode !== 200 || !onLine) return;
          let i: number;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, i).trim();
            buf = buf.slice(i + 1);
            if (!line) continue;
            try {
              onLine(line);
            } catch (err) {
              req.destroy();
              return reject(err instanceof Error ? err : new Error(String(err)));
            }
          }
        });
        res.on('error', reject);
        res.on('end', () => {
          if (res.statusCode === 410) reject(new Gone());
          else if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${buf.slice(0, 200)}`));
          else resolve(buf);
        });
      });
      this.current = req;
      req.on('error', reject);
      req.end();
    });
  }
}
