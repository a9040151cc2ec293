// transport.ts: HTTP requests of a cluster syncer: list and watch requests with the kubeconfig's
// credentials (rebuilt per request, so rotated tokens are picked up), Status bodies turned into
// errors, and watch streams split into events.
import http from 'node:http';
import https from 'node:https';
import { createSecureContext, type ConnectionOptions, type SecureContext } from 'node:tls';
import type { KubeConfig } from '@kubernetes/client-node';
import { RemoteRequestError, type RemoteStatus } from './errors.js';
import type { SyncKind, WatchEvent } from './types.js';

/** resourceOf names a kind for RBAC messages (the resource part of its path). */
export const resourceOf = (k: SyncKind): string => {
  const m = /^\/apis\/([^/]+)\/[^/]+\/([^/?]+)/.exec(k.path);
  return m ? `${m[2]}.${m[1]}` : k.name;
};

/** watchEvents splits a watch response into events. */
export async function* watchEvents(res: http.IncomingMessage): AsyncGenerator<WatchEvent> {
  res.setEncoding('utf8');
  let buf = '';
  for await (const chunk of res as AsyncIterable<string>) {
    buf += chunk;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) yield JSON.parse(line) as WatchEvent;
    }
  }
}

/** readBody reads a whole response body. */
export async function readBody(res: http.IncomingMessage): Promise<string> {
  res.setEncoding('utf8');
  let body = '';
  for await (const chunk of res as AsyncIterable<string>) body += chunk;
  return body;
}

/** Transport is how a syncer reaches its cluster. */
export interface Transport {
  kc: KubeConfig;
  agent: http.Agent;
  server: string;
  timeoutMs: number;
  watchIdleMs: number;
  /** The TLS context of the credentials last used, reused while they stay the same. */
  tls?: { credentials: string; context: SecureContext };
}

/**
 * secureContextFor returns a TLS context for the request's CA and client credentials, made once
 * while they stay the same. Building one parses the CA bundle and key (about a millisecond of
 * the event loop), and a syncer opens a connection for every watch and every list page.
 */
function secureContextFor(t: Transport, o: https.RequestOptions): SecureContext {
  const parts = [o.ca, o.cert, o.key, o.passphrase].map(credentialText);
  // Anything but text and buffers (a KeyObject, say) has no content to compare: never reused.
  if (parts.includes(undefined)) return createSecureContext(o);
  const credentials = parts.join('\0');
  if (t.tls?.credentials !== credentials) t.tls = { credentials, context: createSecureContext(o) };
  return t.tls.context;
}

function credentialText(v: unknown): string | undefined {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v.toString('latin1');
  if (!Array.isArray(v)) return undefined;
  const parts = v.map(credentialText);
  return parts.includes(undefined) ? undefined : parts.join('\u0001');
}

/** openRequest opens a list or watch request for a kind. */
export async function openRequest(
  t: Transport,
  verb: 'list' | 'watch',
  kind: SyncKind,
  query: Record<string, string | undefined>,
  signal: AbortSignal,
): Promise<http.IncomingMessage> {
  const url = new URL(t.server + kind.path);
  for (const [k, v] of Object.entries(query)) if (v) url.searchParams.set(k, v);
  const opts: https.RequestOptions = {};
  await t.kc.applyToHTTPSOptions(opts); // per request: exec plugins and token files may rotate
  const fail = (status?: RemoteStatus, cause?: unknown): RemoteRequestError =>
    new RemoteRequestError(t.server, verb, resourceOf(kind), status, cause);
  return new Promise((resolve, reject) => {
    const headers = { ...opts.headers, Accept: 'application/json' };
    const mod = url.protocol === 'http:' ? http : https;
    const o: https.RequestOptions & Pick<ConnectionOptions, 'secureContext'> = {
      ...opts,
      headers,
      agent: t.agent,
      signal,
    };
    if (mod === https) o.secureContext = secureContextFor(t, opts);
    const req = mod.request(url, o, (res) => {
      const code = res.statusCode ?? 0;
      if (code >= 200 && code < 300) {
        if (verb === 'watch') req.setTimeout(t.watchIdleMs);
        return resolve(res);
      }
      readBody(res).then(
        (b) => reject(fail(statusOf(code, b))),
        (e: unknown) => reject(fail(undefined, e)),
      );
    });
    req.setTimeout(t.timeoutMs, () =>
      req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })),
    );
    req.on('error', (e) => reject(fail(undefined, e)));
    req.end();
  });
}

function statusOf(code: number, body: string): RemoteStatus {
  try {
    const s = JSON.parse(body) as RemoteStatus;
    return { code, reason: s.reason, message: s.message };
  } catch {
    return { code, message: body.slice(0, 200) };
  }
}

/** startSyncer starts mirroring opts.kinds of one remote cluster; see Syncer. */
