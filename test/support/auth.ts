// testutil.ts: helpers shared by the auth tests: a capturing logger, an intermediate CA, and a
// real HTTPS server that authenticates each request and answers with the user it found.
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';
import { createCA, issueCert, type KeyPair } from '../../core/pki.js';
import { StatusError } from '../../apiserver/status.js';
import { authRequestFrom } from '../../apiserver/auth/authn.js';
import type { AuthLogger, Authenticator } from '../../apiserver/auth/types.js';

/** LogLine is one captured log call. */
export interface LogLine {
  level: string;
  msg: string;
  fields?: Record<string, unknown>;
}

/** captureLogger returns a logger that records every line, and the lines. */
export function captureLogger(): { logger: AuthLogger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at =
    (level: string) =>
    (msg: string, fields?: Record<string, unknown>): void => {
      lines.push({ level, msg, ...(fields ? { fields } : {}) });
    };
  return { logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, lines };
}

/** intermediateCA makes a CA certificate signed by root (pki.ts only makes self-signed CAs). */
export function intermediateCA(root: KeyPair, commonName: string): KeyPair {
  const self = createCA(commonName);
  const cert = forge.pki.certificateFromPem(self.certPem);
  const rootCert = forge.pki.certificateFromPem(root.certPem);
  cert.setIssuer(rootCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: rootCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(root.keyPem), forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: self.keyPem };
}

/** WhoAmIServer is an HTTPS server answering {user} or a Status for each request. */
export interface WhoAmIServer {
  server: Server;
  url: string;
  caPem: string;
  close(): Promise<void>;
}

/** startWhoAmI serves authenticator's result over TLS that asks for (but does not require) client certs. */
export async function startWhoAmI(authenticator: Authenticator): Promise<WhoAmIServer> {
  const ca = createCA('whoami-serving-ca');
  const serving = issueCert(ca, { commonName: 'localhost', ipAddresses: ['127.0.0.1'], usage: 'server' });
  const server = createServer(
    { cert: serving.certPem, key: serving.keyPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      authenticator.authenticate(authRequestFrom(req)).then(
        (user) =>
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ user: user ?? null })),
        (err: unknown) => {
          const code = err instanceof StatusError ? err.code : 500;
          const body = err instanceof StatusError ? err.toStatus() : { message: String(err) };
          res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        },
      );
    },
  );
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = async (): Promise<void> => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  };
  return { server, url, caPem: ca.certPem, close };
}

/** CallOptions are the client side of one WhoAmI request. */
export interface CallOptions {
  cert?: KeyPair;
  /** Extra certificates sent after the leaf (intermediates). */
  chainPem?: string;
  headers?: Record<string, string | string[]>;
}

/** callWhoAmI makes one request (a fresh connection) and returns status and parsed body. */
export function callWhoAmI(s: WhoAmIServer, o: CallOptions = {}): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${s.url}/whoami`,
      {
        ca: s.caPem,
        agent: false,
        headers: o.headers ?? {},
        ...(o.cert ? { cert: o.cert.certPem + (o.chainPem ?? ''), key: o.cert.keyPem } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}
