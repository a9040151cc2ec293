// listen.ts: the HTTPS listener of fedmesh-apiserver: TLS with client certificates requested (the
// front proxy and clients present them; authentication decides), and a close that ends open
// watches cleanly and drops lingering connections after a grace period.
import { createServer, type Server } from 'node:https';
import type { Socket } from 'node:net';
import type { Express } from 'express';
import type { CompletedOptions } from './options.js';

/** Listener is a listening HTTPS server. */
export interface Listener {
  port: number;
  /** close stops accepting, calls endWatches, and resolves when every connection is gone. */
  close(endWatches: () => void): Promise<void>;
}

function trackSockets(server: Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  return sockets;
}

/**
 * TLS_CIPHERS are kube-apiserver's defaults: TLS 1.3, and for TLS 1.2 only ECDHE key exchange with
 * AEAD ciphers (no static RSA, CBC, CCM or ARIA).
 */
export const TLS_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** Limits of the HTTP layer, as kube-apiserver's secure serving sets them. */
const MAX_HEADER_BYTES = 1 << 20;
const HEADERS_TIMEOUT_MS = 32_000;
const IDLE_TIMEOUT_MS = 90_000;
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

// statusResponse is a raw HTTP response carrying a Status, for errors met before express runs.
function statusResponse(code: number, reason: string, message: string): string {
  const body = JSON.stringify({
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  });
  const text = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[code];
  return (
    `HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}` +
    `\r\nConnection: close\r\n\r\n${body}`
  );
}

// onClientError answers requests the HTTP parser refused (oversized headers, malformed requests,
// header timeouts) with a Status instead of a bare status line.
function onClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || (err as { bytesParsed?: number }).bytesParsed === undefined) {
    socket.destroy();
    return;
  }
  const reply =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? statusResponse(
          431,
          'RequestHeaderFieldsTooLarge',
          `request headers are larger than ${MAX_HEADER_BYTES} bytes`,
        )
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? statusResponse(408, 'Timeout', 'the request headers were not received in time')
        : statusResponse(400, 'BadRequest', `malformed HTTP request: ${err.code ?? 'parse error'}`);
  socket.end(reply);
}

/** listen serves app on the options' address and port. */
export async function listen(app: Express, o: CompletedOptions): Promise<Listener> {
  const server = createServer(
    {
      cert: o.certPem,
      key: o.keyPem,
      requestCert: true,
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      ciphers: TLS_CIPHERS,
      honorCipherOrder: true,
      handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
      maxHeaderSize: MAX_HEADER_BYTES,
    },
    app,
  );
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.keepAliveTimeout = IDLE_TIMEOUT_MS;
  server.on('clientError', onClientError);
  const sockets = trackSockets(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.securePort, o.bindAddress, resolve);
  });
  return {
    port: (server.address() as { port: number }).port,
    close: async (endWatches) => {
      const closed = new Promise((r) => server.close(r));
      endWatches();
      server.closeIdleConnections();
      setTimeout(() => sockets.forEach((s) => s.destroy()), 2000).unref();
      await closed;
    },
  };
}
