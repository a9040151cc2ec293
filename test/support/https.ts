// https.ts: one HTTPS request with full control of TLS and headers, for tests that probe a server
// the way a careless or hostile client would (oversized bodies and headers, chosen cipher suites).
import { request } from 'node:https';

/** Credentials are a client certificate and the CA that verifies the server (none: insecure). */
export interface Credentials {
  ca?: string;
  cert?: string;
  key?: string;
}

/** HttpsOptions shape the request. */
export interface HttpsOptions extends Credentials {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** TLS 1.2 cipher list and version bounds, to test what the server accepts. */
  ciphers?: string;
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** Give up (and reject) after this long; default 30 s. */
  timeoutMs?: number;
}

/** Reply is a response: status, headers and body text. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** httpsRequest sends one request and resolves with the whole response. */
export function httpsRequest(url: string, o: HttpsOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: o.method ?? 'GET',
        headers: o.headers,
        ca: o.ca,
        cert: o.cert,
        key: o.key,
        rejectUnauthorized: o.ca !== undefined,
        ciphers: o.ciphers,
        maxVersion: o.maxVersion,
        agent: false,
        timeout: o.timeoutMs ?? 30_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${o.method ?? 'GET'} ${url}: no answer in time`)));
    req.on('error', reject);
    req.end(o.body);
  });
}

/** statusOf parses a Status body, failing loudly when the body is not one. */
export function statusOf(r: Reply): { kind: string; code: number; reason: string; message: string } {
  let s: { kind?: string; code: number; reason: string; message: string };
  try {
    s = JSON.parse(r.body) as typeof s;
  } catch {
    throw new Error(`expected a Status, got HTTP ${r.status}: ${r.body.slice(0, 200)}`);
  }
  if (s.kind !== 'Status')
    throw new Error(`expected a Status, got HTTP ${r.status}: ${r.body.slice(0, 200)}`);
  return s as { kind: string; code: number; reason: string; message: string };
}
