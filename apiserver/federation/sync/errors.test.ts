// errors.test.ts: table tests for classifyError (reasons and messages a user acts on) and
// loadRemoteKubeConfig (what is wrong with a kubeconfig, without echoing its secrets).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stringify } from 'yaml';
import { createCA } from '../../../core/pki.js';
import {
  classifyError,
  InvalidKubeconfigError,
  loadRemoteKubeConfig,
  RemoteRequestError,
  type SyncErrorReason,
} from './errors.js';

const S = 'https://10.0.0.1:6443';
const sysErr = (code: string, message = code): Error => Object.assign(new Error(message), { code });

describe('classifyError', () => {
  const cases: { name: string; err: unknown; reason: SyncErrorReason; message: string | RegExp }[] = [
    {
      name: 'connection refused',
      err: new RemoteRequestError(S, 'list', 'pods', undefined, sysErr('ECONNREFUSED')),
      reason: 'Unreachable',
      message: `cannot reach ${S}: connection refused`,
    },
    {
      name: 'timeout',
      err: new RemoteRequestError(S, 'watch', 'pods', undefined, sysErr('ETIMEDOUT')),
      reason: 'Unreachable',
      message: `cannot reach ${S}: connection timed out`,
    },
    {
      name: 'DNS failure',
      err: new RemoteRequestError(S, 'list', 'nodes', undefined, sysErr('ENOTFOUND')),
      reason: 'Unreachable',
      message: `cannot reach ${S}: host not found`,
    },
    {
      name: 'a wrapped reset',
      err: new RemoteRequestError(
        S,
        'watch',
        'pods',
        undefined,
        new Error('x', { cause: sysErr('ECONNRESET') }),
      ),
      reason: 'Unreachable',
      message: `cannot reach ${S}: connection reset`,
    },
    {
      name: 'an untrusted server certificate',
      err: new RemoteRequestError(S, 'list', 'pods', undefined, sysErr('UNABLE_TO_VERIFY_LEAF_SIGNATURE')),
      reason: 'CertificateMismatch',
      message: `the server certificate of ${S} is not signed by the CA in the kubeconfig (UNABLE_TO_VERIFY_LEAF_SIGNATURE); check certificate-authority-data`,
    },
    {
      name: 'a certificate for another host',
      err: new RemoteRequestError(S, 'list', 'pods', undefined, sysErr('ERR_TLS_CERT_ALTNAME_INVALID')),
      reason: 'CertificateMismatch',
      message: /does not name this host/,
    },
    {
      name: '401',
      err: new RemoteRequestError(S, 'list', 'pods', { code: 401, message: 'Unauthorized' }),
      reason: 'Unauthorized',
      message: `the credential was rejected by ${S} (Unauthorized)`,
    },
    {
      name: '403 with the RBAC message',
      err: new RemoteRequestError(S, 'list', 'endpointslices.discovery.k8s.io', {
        code: 403,
        message:
          'endpointslices.discovery.k8s.io is forbidden: User "system:serviceaccount:fedmesh:remote" cannot list resource "endpointslices" in API group "discovery.k8s.io" at the cluster scope',
      }),
      reason: 'Forbidden',
      message:
        'missing permission: list endpointslices.discovery.k8s.io at the cluster scope (User "system:serviceaccount:fedmesh:remote" cannot list resource "endpointslices" in API group "discovery.k8s.io" at the cluster scope)',
    },
    {
      name: '403 for an anonymous request',
      err: new RemoteRequestError(S, 'list', 'pods', {
        code: 403,
        message: 'pods is forbidden: User "system:anonymous" cannot list resource "pods"',
      }),
      reason: 'Forbidden',
      message: /the request was anonymous, so the client certificate or token was not recognized$/,
    },
    {
      name: 'a client-node ApiException',
      err: Object.assign(new Error('HTTP-Code: 403'), { code: 403, body: '{"message":"nope"}' }),
      reason: 'Forbidden',
      message: 'missing permission: unknown (nope)',
    },
    {
      name: '500',
      err: new RemoteRequestError(S, 'watch', 'pods', { code: 500, message: 'etcd down' }),
      reason: 'Unknown',
      message: `watch pods on ${S} failed: HTTP 500 (etcd down)`,
    },
    {
      name: 'an invalid kubeconfig',
      err: new InvalidKubeconfigError('kubeconfig is invalid: current-context is not set'),
      reason: 'InvalidKubeconfig',
      message: 'kubeconfig is invalid: current-context is not set',
    },
    { name: 'anything else', err: new Error('boom'), reason: 'Unknown', message: 'boom' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = classifyError(c.err);
      assert.equal(got.reason, c.reason);
      if (typeof c.message === 'string') assert.equal(got.message, c.message);
      else assert.match(got.message, c.message);
    });
  }
});

describe('loadRemoteKubeConfig', () => {
  const ca = Buffer.from(createCA('test-ca').certPem).toString('base64');
  const valid = {
    clusters: [{ name: 'c', cluster: { server: S, 'certificate-authority-data': ca } }],
    users: [{ name: 'u', user: { token: 'secret-token-value' } }],
    contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
    'current-context': 'ctx',
  };
  const edit = (f: (k: typeof valid) => unknown): string => {
    const k = structuredClone(valid) as typeof valid & Record<string, unknown>;
    f(k);
    return stringify(k);
  };
  const cases: { name: string; yaml: string; message: RegExp }[] = [
    { name: 'empty', yaml: '  \n', message: /^kubeconfig is empty$/ },
    {
      name: 'not YAML',
      yaml: 'apiVersion: v1\nusers: {token: "secret-token-value"\n',
      message: /^kubeconfig cannot be parsed: /,
    },
    { name: 'not a kubeconfig', yaml: 'hello', message: /no clusters, users or contexts/ },
    {
      name: 'no current-context',
      yaml: edit((k) => delete (k as Record<string, unknown>)['current-context']),
      message: /current-context is not set/,
    },
    {
      name: 'a dangling current-context',
      yaml: edit((k) => (k['current-context'] = 'nope')),
      message: /current-context "nope" names no context/,
    },
    {
      name: 'an undefined cluster',
      yaml: edit((k) => (k.contexts[0]!.context.cluster = 'x')),
      message: /names cluster "x", which is not defined/,
    },
    {
      name: 'a bad server URL',
      yaml: edit((k) => (k.clusters[0]!.cluster.server = 'not a url')),
      message: /cluster "c" has no valid server URL/,
    },
    {
      name: 'plain http',
      yaml: edit((k) => (k.clusters[0]!.cluster.server = 'http://10.0.0.1:8080')),
      message: /server must be an https:\/\/ URL/,
    },
    {
      name: 'a bad CA',
      yaml: edit((k) => (k.clusters[0]!.cluster['certificate-authority-data'] = 'bm90IGEgY2VydA==')),
      message: /certificate-authority-data is not a base64 PEM certificate/,
    },
    {
      name: 'no credential',
      yaml: edit((k) => (k.users[0]!.user = {} as never)),
      message: /user "u" has no credential/,
    },
    {
      name: 'a certificate without its key',
      yaml: edit((k) => (k.users[0]!.user = { 'client-certificate-data': ca } as never)),
      message: /client certificate without its key/,
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, () => {
      assert.throws(
        () => loadRemoteKubeConfig(c.yaml),
        (err: unknown) => {
          assert.ok(err instanceof InvalidKubeconfigError);
          assert.match(err.message, c.message);
          assert.ok(!err.message.includes('secret-token-value'), 'the message does not echo secrets');
          assert.equal(classifyError(err).reason, 'InvalidKubeconfig');
          return true;
        },
      );
    });
  }

  it('accepts a complete kubeconfig', () => {
    const kc = loadRemoteKubeConfig(stringify(valid));
    assert.equal(kc.getCurrentCluster()?.server, S);
  });
});
