// kubeconfig.test.ts: API clients of a PooledKubeConfig reuse their TLS connection (client-node's
// own KubeConfig opens one per request), still present the client certificate, and pick up a
// changed certificate with a new connection.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createCA, issueCert, type KeyPair } from '../core/pki.js';
import { PooledKubeConfig } from './kubeconfig.js';

describe('PooledKubeConfig', () => {
  let ca: KeyPair;
  let server: Server;
  let port = 0;
  let connections = 0;
  const users: string[] = [];

  before(async () => {
    ca = createCA('test-ca');
    const serving = issueCert(ca, { commonName: 'apiserver', ipAddresses: ['127.0.0.1'], usage: 'server' });
    server = createServer(
      {
        cert: serving.certPem,
        key: serving.keyPem,
        ca: ca.certPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        users.push((req.socket as TLSSocket).getPeerCertificate().subject.CN as string);
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [] }));
      },
    );
    server.on('secureConnection', () => connections++);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  after(() => server.close());

  const load = (kc: KubeConfig, user: KeyPair): KubeConfig => {
    kc.loadFromOptions({
      clusters: [
        { name: 'c', server: `https://127.0.0.1:${port}`, caData: b64(ca.certPem), skipTLSVerify: false },
      ],
      users: [{ name: 'u', certData: b64(user.certPem), keyData: b64(user.keyPem) }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    return kc;
  };
  const client = (cn: string): KeyPair => issueCert(ca, { commonName: cn, usage: 'client' });

  it('sends every request over one connection', async () => {
    const pooled = load(new PooledKubeConfig(), client('alice')) as PooledKubeConfig;
    const plain = load(new KubeConfig(), client('alice'));
    const count = async (kc: KubeConfig): Promise<number> => {
      const before = connections;
      const api = kc.makeApiClient(CoreV1Api);
      for (let i = 0; i < 5; i++) await api.listNamespace();
      return connections - before;
    };
    assert.equal(await count(plain), 5, 'client-node alone: a connection per request');
    assert.equal(await count(pooled), 1);
    pooled.close();
  });

  it('presents a changed client certificate on a new connection', async () => {
    const kc = load(new PooledKubeConfig(), client('alice')) as PooledKubeConfig;
    await kc.makeApiClient(CoreV1Api).listNamespace();
    load(kc, client('bob'));
    await kc.makeApiClient(CoreV1Api).listNamespace();
    assert.deepEqual(users.slice(-2), ['alice', 'bob']);
    kc.close();
  });
});

function b64(pem: string): string {
  return Buffer.from(pem).toString('base64');
}
