// authz.test.ts: upstream's Forbidden messages (tables) and SubjectAccessReview decisions from a
// real kube-apiserver with RBAC: admin, an unbound user, a namespaced RoleBinding, the cache.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuthorizationV1Api, CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '../../test/harness/controlplane.js';
import {
  forbiddenError,
  forbiddenMessage,
  SubjectAccessReviewAuthorizer,
  type SubjectAccessReviewClient,
} from './authz.js';
import { captureLogger } from '../../test/support/auth.js';
import type { Attributes, ResourceAttributes, UserInfo } from './types.js';

const user = (username: string, groups: string[] = ['system:authenticated']): UserInfo => ({
  username,
  groups,
  extra: {},
});
const fe = (
  verb: string,
  namespace?: string,
  more: Partial<ResourceAttributes> = {},
): ResourceAttributes => ({
  verb,
  group: 'federated.mesh',
  version: 'v1alpha1',
  resource: 'federatedendpoints',
  ...(namespace ? { namespace } : {}),
  ...more,
});

describe('forbiddenMessage', () => {
  const alice = user('alice');
  const cases: { name: string; attrs: Attributes; reason?: string; want: string }[] = [
    {
      name: 'namespaced list',
      attrs: { user: alice, resource: fe('list', 'default') },
      want: 'federatedendpoints.federated.mesh is forbidden: User "alice" cannot list resource "federatedendpoints" in API group "federated.mesh" in the namespace "default"',
    },
    {
      name: 'cluster scope',
      attrs: { user: alice, resource: fe('watch') },
      want: 'federatedendpoints.federated.mesh is forbidden: User "alice" cannot watch resource "federatedendpoints" in API group "federated.mesh" at the cluster scope',
    },
    {
      name: 'named object with subresource and a reason',
      attrs: { user: alice, resource: fe('get', 'ns1', { name: 'web', subresource: 'status' }) },
      reason: 'no RBAC policy matched',
      want: 'federatedendpoints.federated.mesh "web" is forbidden: User "alice" cannot get resource "federatedendpoints/status" in API group "federated.mesh" in the namespace "ns1": no RBAC policy matched',
    },
    {
      name: 'core group resource',
      attrs: {
        user: alice,
        resource: { verb: 'list', group: '', version: 'v1', resource: 'pods', namespace: 'x' },
      },
      want: 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "x"',
    },
    {
      name: 'non-resource path',
      attrs: { user: alice, nonResource: { verb: 'get', path: '/openapi/v3' } },
      want: 'forbidden: User "alice" cannot get path "/openapi/v3"',
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(forbiddenMessage(c.attrs, c.reason), c.want));

  it('builds a 403 Status whose details name the plural resource', () => {
    const s = forbiddenError(
      { user: alice, resource: fe('get', 'd', { name: 'web' }) },
      { allowed: false },
    ).toStatus();
    assert.equal(s.code, 403);
    assert.equal(s.reason, 'Forbidden');
    assert.deepEqual(s.details, { group: 'federated.mesh', kind: 'federatedendpoints', name: 'web' });
  });
});

describe('SubjectAccessReviewAuthorizer against kube-apiserver', () => {
  let cp: ControlPlane;
  let sarCalls = 0;
  let now = 1_000_000;
  let authz: SubjectAccessReviewAuthorizer;

  before(async () => {
    cp = await startControlPlane({ clusters: ['authz'] });
    const kc = new KubeConfig();
    kc.loadFromFile(cp.cluster('authz').kubeconfig);
    const api = kc.makeApiClient(AuthorizationV1Api);
    const client: SubjectAccessReviewClient = {
      createSubjectAccessReview: (p) => (sarCalls++, api.createSubjectAccessReview(p)),
    };
    authz = new SubjectAccessReviewAuthorizer({ client, logger: captureLogger().logger, clock: () => now });
    const core = kc.makeApiClient(CoreV1Api);
    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    for (const name of ['team-a', 'team-b']) await core.createNamespace({ body: { metadata: { name } } });
    const rule = {
      apiGroups: ['federated.mesh'],
      resources: ['federatedendpoints'],
      verbs: ['get', 'list', 'watch'],
    };
    await rbac.createNamespacedRole({
      namespace: 'team-a',
      body: { metadata: { name: 'fe-viewer' }, rules: [rule] },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: 'team-a',
      body: {
        metadata: { name: 'bob-fe-viewer' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'fe-viewer' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bob' }],
      },
    });
  });
  after(async () => cp?.stop());

  const cases: { name: string; attrs: () => Attributes; allowed: boolean; sar: boolean }[] = [
    {
      name: 'system:masters without a SAR',
      attrs: () => ({ user: user('admin', ['system:masters']), resource: fe('delete', 'x') }),
      allowed: true,
      sar: false,
    },
    {
      name: '/healthz for anyone without a SAR',
      attrs: () => ({ user: user('system:anonymous', []), nonResource: { verb: 'get', path: '/healthz' } }),
      allowed: true,
      sar: false,
    },
    {
      name: 'unbound user denied',
      attrs: () => ({ user: user('alice'), resource: fe('list', 'team-a') }),
      allowed: false,
      sar: true,
    },
    {
      name: 'bound user in its namespace',
      attrs: () => ({ user: user('bob'), resource: fe('list', 'team-a') }),
      allowed: true,
      sar: true,
    },
    {
      name: 'bound user with selectors',
      attrs: () => ({
        user: user('bob'),
        resource: fe('watch', 'team-a', {
          fieldSelector: 'metadata.name=web',
          labelSelector: 'app in (x,y)',
        }),
      }),
      allowed: true,
      sar: true,
    },
    {
      name: 'bound user in another namespace',
      attrs: () => ({ user: user('bob'), resource: fe('list', 'team-b') }),
      allowed: false,
      sar: true,
    },
    {
      name: 'bound user for a verb it lacks',
      attrs: () => ({ user: user('bob'), resource: fe('delete', 'team-a', { name: 'web' }) }),
      allowed: false,
      sar: true,
    },
    {
      name: 'discovery path via system:authenticated',
      attrs: () => ({
        user: user('alice'),
        nonResource: { verb: 'get', path: '/apis/federated.mesh/v1alpha1' },
      }),
      allowed: true,
      sar: true,
    },
    {
      name: 'metrics path denied',
      attrs: () => ({ user: user('alice'), nonResource: { verb: 'get', path: '/metrics' } }),
      allowed: false,
      sar: true,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const before = sarCalls;
      const d = await authz.authorize(c.attrs());
      assert.equal(d.allowed, c.allowed);
      assert.equal(sarCalls - before, c.sar ? 1 : 0);
    });
  }

  it('answers the unbound user with upstream message', async () => {
    const attrs: Attributes = { user: user('carol'), resource: fe('list', 'default') };
    const d = await authz.authorize(attrs);
    assert.equal(
      forbiddenError(attrs, d).message,
      'federatedendpoints.federated.mesh is forbidden: User "carol" cannot list resource "federatedendpoints" in API group "federated.mesh" in the namespace "default"',
    );
  });

  it('caches allowed and denied decisions for 10 s', async () => {
    const allowed: Attributes = { user: user('bob'), resource: fe('get', 'team-a', { name: 'x' }) };
    const denied: Attributes = { user: user('bob'), resource: fe('get', 'team-b', { name: 'x' }) };
    const before = sarCalls;
    for (let i = 0; i < 3; i++) {
      assert.equal((await authz.authorize(allowed)).allowed, true);
      assert.equal((await authz.authorize(denied)).allowed, false);
    }
    assert.equal(sarCalls - before, 2);
    now += 10_001;
    await authz.authorize(allowed);
    await authz.authorize(denied);
    assert.equal(sarCalls - before, 4);
  });
});
