// authn.test.ts: the delegating authenticator against a real kube-apiserver, over real TLS:
// front-proxy headers, client certificates and ServiceAccount tokens.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuthenticationV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createCA, issueCert, type KeyPair } from '../../core/pki.js';
import { startControlPlane, type ControlPlane } from '../../test/harness/controlplane.js';
import { AuthConfigWatcher } from './authconfig.js';
import { DelegatingAuthenticator } from './authn.js';
import { TokenReviewAuthenticator, type TokenReviewClient } from './tokenreview.js';
import {
  callWhoAmI,
  captureLogger,
  intermediateCA,
  startWhoAmI,
  type LogLine,
  type WhoAmIServer,
} from '../../test/support/auth.js';
import type { UserInfo } from './types.js';

type Body = { user?: UserInfo | null; reason?: string; code?: number };

describe('DelegatingAuthenticator against kube-apiserver', () => {
  let cp: ControlPlane;
  let config: AuthConfigWatcher;
  let whoami: WhoAmIServer;
  let frontProxy: KeyPair;
  let frontProxyCA: KeyPair;
  let saToken: string;
  let reviews = 0;
  let lines: LogLine[];
  const proxyHeaders = {
    'X-Remote-User': 'alice',
    'X-Remote-Uid': 'uid-1',
    'X-Remote-Group': ['dev', 'ops, qa'],
    'X-Remote-Extra-Authentication.kubernetes.io%2fCredential-Id': 'JTI=abc',
    'X-Remote-Extra-Scopes': ['view', 'edit'],
  };

  before(async () => {
    cp = await startControlPlane({ clusters: ['auth'] });
    const c = cp.cluster('auth');
    const kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    const log = captureLogger();
    lines = log.lines;
    config = new AuthConfigWatcher({ kubeConfig: kc, logger: log.logger });
    await config.start();
    const api = kc.makeApiClient(AuthenticationV1Api);
    const client: TokenReviewClient = { createTokenReview: (p) => (reviews++, api.createTokenReview(p)) };
    const tokens = new TokenReviewAuthenticator({ client, logger: log.logger });
    whoami = await startWhoAmI(
      new DelegatingAuthenticator({ settings: () => config.current(), tokens, logger: log.logger }),
    );
    frontProxyCA = c.pki.frontProxyCA;
    const { readFileSync } = await import('node:fs');
    frontProxy = {
      certPem: readFileSync(c.pki.files.frontProxyClientCert, 'utf8'),
      keyPem: readFileSync(c.pki.files.frontProxyClientKey, 'utf8'),
    };
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespacedServiceAccount({
      namespace: 'default',
      body: { metadata: { name: 'mesh-client' } },
    });
    const tr = await core.createNamespacedServiceAccountToken({
      name: 'mesh-client',
      namespace: 'default',
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    saToken = tr.status!.token;
  });
  after(async () => {
    config?.stop();
    await whoami?.close();
    await cp?.stop();
  });

  it('reads the front-proxy settings from the ConfigMap', () => {
    const rh = config.current()?.requestHeader;
    assert.ok(rh);
    assert.deepEqual(rh.allowedNames, ['front-proxy-client']);
    assert.deepEqual(rh.groupHeaders, ['X-Remote-Group']);
    assert.equal(config.current()?.clientCA.length, 1);
  });

  it('trusts X-Remote-* from the real front-proxy certificate, keeping repeated groups and extras', async () => {
    const r = await callWhoAmI(whoami, { cert: frontProxy, headers: proxyHeaders });
    assert.equal(r.status, 200);
    assert.deepEqual((r.body as Body).user, {
      username: 'alice',
      uid: 'uid-1',
      groups: ['dev', 'ops, qa', 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': ['JTI=abc'], scopes: ['view', 'edit'] },
    });
  });

  it('adds system:authenticated only once', async () => {
    const headers = { 'X-Remote-User': 'system:kube-aggregator', 'X-Remote-Group': ['system:authenticated'] };
    const r = await callWhoAmI(whoami, { cert: frontProxy, headers });
    assert.deepEqual((r.body as Body).user?.groups, ['system:authenticated']);
  });

  const rogue = createCA('rogue-front-proxy-ca');
  const untrusted: { name: string; cert: () => KeyPair; chainPem?: () => string }[] = [
    {
      name: 'a proxy cert from another CA',
      cert: () => issueCert(rogue, { commonName: 'front-proxy-client', usage: 'client' }),
    },
    {
      name: 'a front-proxy-CA cert whose CN is not allowed',
      cert: () => issueCert(frontProxyCA, { commonName: 'evil', usage: 'client' }),
    },
    {
      name: 'a front-proxy-CA cert without clientAuth',
      cert: () => issueCert(frontProxyCA, { commonName: 'front-proxy-client', usage: 'server' }),
    },
    {
      name: 'a rogue intermediate presented with its chain',
      cert: () =>
        issueCert(intermediateCA(rogue, 'rogue-int'), { commonName: 'front-proxy-client', usage: 'client' }),
    },
  ];
  for (const u of untrusted) {
    it(`does not trust X-Remote-* with ${u.name} (401, warning logged)`, async () => {
      const before = lines.filter((l) => l.level === 'warn').length;
      const r = await callWhoAmI(whoami, { cert: u.cert(), headers: proxyHeaders });
      assert.equal(r.status, 401);
      assert.equal((r.body as Body).reason, 'Unauthorized');
      const warns = lines.filter((l) => l.level === 'warn').slice(before);
      assert.ok(
        warns.some((l) => /identity headers/.test(l.msg)),
        JSON.stringify(warns),
      );
    });
  }

  it('does not trust X-Remote-* without any certificate, falling back to the bearer token', async () => {
    const none = await callWhoAmI(whoami, { headers: proxyHeaders });
    assert.deepEqual(none, { status: 200, body: { user: null } });
    const withToken = await callWhoAmI(whoami, {
      headers: { ...proxyHeaders, Authorization: `Bearer ${saToken}` },
    });
    assert.equal((withToken.body as Body).user?.username, 'system:serviceaccount:default:mesh-client');
  });

  it('authenticates a client-ca certificate as CN with O groups', async () => {
    const cert = issueCert(cp.cluster('auth').pki.clientCA, {
      commonName: 'carol',
      organizations: ['team-a', 'team-b'],
      usage: 'client',
    });
    const r = await callWhoAmI(whoami, { cert });
    const user = (r.body as Body).user;
    assert.equal(user?.username, 'carol');
    assert.deepEqual(user?.groups, ['team-a', 'team-b', 'system:authenticated']);
    assert.match(user?.extra['authentication.kubernetes.io/credential-id']?.[0] ?? '', /^X509SHA256=/);
  });

  it('authenticates a ServiceAccount token through TokenReview and caches the answer', async () => {
    const r = await callWhoAmI(whoami, { headers: { Authorization: `Bearer ${saToken}` } });
    const user = (r.body as Body).user;
    assert.equal(user?.username, 'system:serviceaccount:default:mesh-client');
    assert.ok(user?.groups.includes('system:serviceaccounts:default'));
    assert.equal(user?.groups.filter((g) => g === 'system:authenticated').length, 1);
    assert.ok(user?.uid);
    const calls = reviews;
    await callWhoAmI(whoami, { headers: { Authorization: `Bearer ${saToken}` } });
    assert.equal(reviews, calls, 'second request within 10 s must not call TokenReview');
  });

  it('answers 401 for a garbage token and never logs tokens', async () => {
    const r = await callWhoAmI(whoami, { headers: { Authorization: 'Bearer not-a-real-token' } });
    assert.equal(r.status, 401);
    const all = JSON.stringify(lines);
    assert.ok(!all.includes(saToken) && !all.includes('not-a-real-token'));
  });

  it('gives no user for a request without credentials', async () => {
    assert.deepEqual(await callWhoAmI(whoami), { status: 200, body: { user: null } });
  });
});
