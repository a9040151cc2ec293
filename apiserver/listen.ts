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

/** listen serves app on the options' address and port. */
export async function listen(app: Express, o: CompletedOptions): Promise<Listener> {
  const server = createServer(
    { cert: o.certPem, key: o.keyPem, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' },
    app,
  );
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
