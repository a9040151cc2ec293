// request.ts: raw JSON requests to the API server with the kubeconfig's credentials. Server-side
// apply goes through here because client-node's typed serializer drops fields it does not model
// (x-kubernetes-* in CRD schemas), which would apply CRDs without their validations.
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** ApiError is a non-2xx answer; code and body have the shape statusOf reads. */
export class ApiError extends Error {
  readonly code: number;
  readonly body: string;

  constructor(code: number, body: string) {
    super(`HTTP ${code}: ${body.slice(0, 200)}`);
    this.name = 'ApiError';
    this.code = code;
    this.body = body;
  }
}

/** Response is a 2xx answer: parsed body and headers. */
export interface Response {
  body: unknown;
  headers: http.IncomingHttpHeaders;
}

/** request sends one request to the current cluster and returns the parsed JSON body. */
const timeouts = new WeakMap<KubeConfig, number>();

/**
 * withRequestTimeout bounds every request made with kc: the plugin's own requests, and client-node
 * API clients, whose per-request authentication hook is wrapped to attach an abort signal.
 */
export function withRequestTimeout(kc: KubeConfig, ms: number): void {
  timeouts.set(kc, ms);
  const apply = kc.applySecurityAuthentication.bind(kc);
  kc.applySecurityAuthentication = async (ctx) => {
    await apply(ctx);
    ctx.setSignal(AbortSignal.timeout(ms));
  };
}

export async function request(
  kc: KubeConfig,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<Response> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(path, server.endsWith('/') ? server : server + '/');
  const opts: https.RequestOptions = { method, headers: { Accept: 'application/json' } };
  const timeout = timeouts.get(kc);
  if (timeout) opts.signal = AbortSignal.timeout(timeout);
  await kc.applyToHTTPSOptions(opts);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  if (payload !== undefined) opts.headers = { ...opts.headers, 'Content-Type': contentType };
  return send(url, opts, payload);
}

function send(url: URL, opts: https.RequestOptions, payload: string | undefined): Promise<Response> {
  const mod = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code < 200 || code > 299) return reject(new ApiError(code, text));
        try {
          resolve({ body: text === '' ? undefined : (JSON.parse(text) as unknown), headers: res.headers });
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`request to ${url.host} timed out after 30s`)));
    req.end(payload);
  });
}
