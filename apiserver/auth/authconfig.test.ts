// authconfig.test.ts: parsing the authentication ConfigMap (tables), a clear error when it can't
// be read, and a changed CA and allowed-names list taking effect without a restart.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createCA, issueCert } from '../../core/pki.js';
import { startControlPlane, type ControlPlane } from '../../test/harness/controlplane.js';
import { waitFor } from '../../test/harness/wait.js';
import {
  AUTH_CONFIGMAP_NAME,
  AUTH_CONFIGMAP_NAMESPACE,
  AuthConfigWatcher,
  parseAuthenticationConfigMap,
  readFailureMessage,
  type AuthSettings,
} from './authconfig.js';
import { DelegatingAuthenticator } from './authn.js';
import { callWhoAmI, captureLogger, startWhoAmI, type WhoAmIServer } from '../../test/support/auth.js';

const ca = createCA('parse-test-ca');

describe('parseAuthenticationConfigMap', () => {
  const full = {
    'client-ca-file': ca.certPem,
    'requestheader-client-ca-file': ca.certPem + ca.certPem,
    'requestheader-allowed-names': '["front-proxy-client"]',
    'requestheader-username-headers': '["X-Remote-User"]',
    'requestheader-uid-headers': 'null',
    'requestheader-group-headers': '["X-Remote-Group"]',
    'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
  };
  it('reads every key', () => {
    const s = parseAuthenticationConfigMap(full, '7');
    assert.equal(s.resourceVersion, '7');
    assert.equal(s.clientCA.length, 1);
    assert.equal(s.requestHeader?.ca.length, 2);
    assert.deepEqual(
      { ...s.requestHeader, ca: undefined },
      {
        ca: undefined,
        allowedNames: ['front-proxy-client'],
        usernameHeaders: ['X-Remote-User'],
        uidHeaders: [],
        groupHeaders: ['X-Remote-Group'],
        extraHeaderPrefixes: ['X-Remote-Extra-'],
      },
    );
  });
  const bad: { name: string; data: Record<string, string>; err: RegExp }[] = [
    {
      name: 'list that is not JSON',
      data: { ...full, 'requestheader-allowed-names': 'front-proxy-client' },
      err: /JSON/,
    },
    {
      name: 'list of numbers',
      data: { ...full, 'requestheader-group-headers': '[1]' },
      err: /requestheader-group-headers/,
    },
    {
      name: 'broken PEM',
      data: { ...full, 'client-ca-file': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' },
      err: /./,
    },
  ];
  for (const b of bad)
    it(`rejects a ${b.name}`, () => assert.throws(() => parseAuthenticationConfigMap(b.data), b.err));
  it('has no requestheader settings without a requestheader CA', () => {
    assert.equal(parseAuthenticationConfigMap({ 'client-ca-file': ca.certPem }).requestHeader, undefined);
    assert.deepEqual(parseAuthenticationConfigMap(undefined).clientCA, []);
  });
});

describe('readFailureMessage', () => {
  const cases: { code: number; want: RegExp }[] = [
    {
      code: 403,
      want: /RoleBinding in namespace kube-system.*extension-apiserver-authentication-reader|extension-apiserver-authentication-reader.*RoleBinding in namespace kube-system/,
    },
    { code: 404, want: /not found/ },
    { code: 401, want: /credentials were rejected/ },
  ];
  for (const c of cases)
    it(`explains HTTP ${c.code}`, () => assert.match(readFailureMessage({ code: c.code, body: {} }), c.want));
});

describe('AuthConfigWatcher against kube-apiserver', () => {
  let cp: ControlPlane;
  let kc: KubeConfig;
  let config: AuthConfigWatcher;
  let whoami: WhoAmIServer;

  before(async () => {
    cp = await startControlPlane({ clusters: ['authcfg'] });
    kc = new KubeConfig();
    kc.loadFromFile(cp.cluster('authcfg').kubeconfig);
    config = new AuthConfigWatcher({ kubeConfig: kc, logger: captureLogger().logger });
    await config.ready;
    whoami = await startWhoAmI(
      new DelegatingAuthenticator({ settings: () => config.current(), logger: captureLogger().logger }),
    );
  });
  after(async () => {
    config?.stop();
    await whoami?.close();
    await cp?.stop();
  });

  it('fails start with the missing RoleBinding named when the ConfigMap is forbidden', async () => {
    const weak = new KubeConfig();
    weak.loadFromFile(cp.cluster('authcfg').userKubeconfig('no-rbac-user'));
    const w = new AuthConfigWatcher({ kubeConfig: weak, logger: captureLogger().logger });
    await assert.rejects(w.start(), /forbidden.*extension-apiserver-authentication-reader.*kube-system/);
    w.stop();
  });

  it('applies a new requestheader CA and allowed name from a watch event, without restart', async () => {
    const newCA = createCA('rotated-front-proxy-ca');
    const proxy = issueCert(newCA, { commonName: 'other-proxy', usage: 'client' });
    const headers = { 'X-Remote-User': 'dave', 'X-Remote-Group': ['g1', 'g2'] };
    assert.equal((await callWhoAmI(whoami, { cert: proxy, headers })).status, 401);

    const seen: AuthSettings[] = [];
    config.onChange((s) => seen.push(s));
    const core = kc.makeApiClient(CoreV1Api);
    const cm = await core.readNamespacedConfigMap({
      name: AUTH_CONFIGMAP_NAME,
      namespace: AUTH_CONFIGMAP_NAMESPACE,
    });
    const data = { ...cm.data };
    data['requestheader-client-ca-file'] = (data['requestheader-client-ca-file'] ?? '') + newCA.certPem;
    data['requestheader-allowed-names'] = JSON.stringify(['front-proxy-client', 'other-proxy']);
    await core.replaceNamespacedConfigMap({
      name: AUTH_CONFIGMAP_NAME,
      namespace: AUTH_CONFIGMAP_NAMESPACE,
      body: { ...cm, data },
    });

    await waitFor(
      'settings with other-proxy',
      async () => Boolean(config.current()?.requestHeader?.allowedNames.includes('other-proxy')),
      {
        timeoutMs: 15_000,
        intervalMs: 50,
      },
    );
    assert.ok(seen.length >= 1);
    const r = await callWhoAmI(whoami, { cert: proxy, headers });
    assert.equal(r.status, 200);
    assert.deepEqual((r.body as { user: unknown }).user, {
      username: 'dave',
      groups: ['g1', 'g2', 'system:authenticated'],
      extra: {},
    });
  });
});
