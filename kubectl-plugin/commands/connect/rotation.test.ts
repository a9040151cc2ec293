// rotation.test.ts: the remote reader's short-lived token is renewed by the consuming cluster's
// fedmesh-apiserver before it expires, with no gap in sync: `kubectl mesh connect` with a 10 minute
// token, a server renewing at 5% of the lifetime (30 s), real control planes and the real kubectl.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startControlPlane, type ControlPlane } from '../../../test/harness/controlplane.js';
import { startLocalFedmesh, type LocalFedmesh } from '../../../test/harness/fedmesh.js';
import { kubectl, kubectlOk } from '../../../test/harness/kubectl.js';
import { waitFor } from '../../../test/harness/wait.js';
import { createNodes, createPods } from '../../../test/e2e/fixtures.js';
import { pluginEnv, type PluginEnv } from '../../../test/support/pluginenv.js';

let cp: ControlPlane;
let server: LocalFedmesh | undefined;
let env: PluginEnv;
const kcOf = (n: string): string => cp.cluster(n).kubeconfig;

interface Credential {
  expirationTime?: string;
  lastRotationTime?: string;
  lastRotationError?: string;
}

const credential = async (): Promise<Credential> =>
  JSON.parse(
    (await kubectlOk(kcOf('east'), ['get', 'rcc', 'west', '-o', 'jsonpath={.status.credential}'])) || '{}',
  ) as Credential;

const storedKubeconfig = (): Promise<string> =>
  kubectlOk(kcOf('east'), [
    'get',
    'secret',
    '-n',
    'fedmesh',
    'remote-west',
    '-o',
    'jsonpath={.data.kubeconfig}',
  ]);

describe('remote reader token rotation', () => {
  before(async () => {
    cp = await startControlPlane({ clusters: ['east', 'west'] });
    server = await startLocalFedmesh(cp.cluster('east'), undefined, {
      options: { credentialRenewFraction: 0.05 },
    });
    await createNodes(kcOf('west'), [{ name: 'w1', internalIP: '203.0.113.2', podCIDR: '10.20.1.0/24' }]);
    await createPods(kcOf('west'), [
      { ns: 'shop', name: 'db-0', labels: { app: 'db' }, ip: '10.20.1.10', node: 'w1' },
    ]);
    env = pluginEnv([kcOf('east'), kcOf('west')]);
  });
  after(async () => {
    env?.cleanup();
    await server?.stop();
    await cp?.stop();
  });

  it('renews the token before it expires and keeps syncing without a gap', async () => {
    const r = await env.kubectl(
      ...['mesh', 'connect', '--context', 'east', '--to-context', 'west', '--token-expiration', '10m'],
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
    await waitFor(
      'the first credential in status',
      async () => (await credential()).expirationTime !== undefined,
    );
    const first = await credential();
    assert.equal(first.lastRotationTime, undefined);
    const firstKubeconfig = await storedKubeconfig();
    // The reader may renew its own token and no other ServiceAccount's.
    const can = async (name: string): Promise<string> =>
      (
        await kubectl(kcOf('west'), [
          ...['--as=system:serviceaccount:fedmesh:fedmesh-reader-east', 'auth', 'can-i', 'create'],
          ...[`serviceaccount/${name}`, '--subresource=token', '-n', 'fedmesh'],
        ])
      ).stdout.trim();
    assert.equal(await can('fedmesh-reader-east'), 'yes');
    assert.equal(await can('default'), 'no');
    // 5% of 10 minutes: the renewal comes about 30 s after connect. West's pod stays listed throughout.
    let rotated: Credential = first;
    const gaps: string[] = [];
    await waitFor(
      'the token renewed',
      async () => {
        const feps = await kubectlOk(kcOf('east'), ['get', 'fep', '-n', 'shop', '-o', 'name']);
        if (!feps.includes('west.db-0')) gaps.push(new Date().toISOString());
        rotated = await credential();
        return rotated.lastRotationTime !== undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1000 },
    );
    // A little longer: the syncer restarts on the new token after the Secret changes.
    for (let i = 0; i < 5; i++) {
      await new Promise((res) => setTimeout(res, 1000));
      const feps = await kubectlOk(kcOf('east'), ['get', 'fep', '-n', 'shop', '-o', 'name']);
      if (!feps.includes('west.db-0')) gaps.push(new Date().toISOString());
    }
    assert.deepEqual(gaps, [], "west's endpoint was missing from east during the rotation");
    assert.equal(rotated.lastRotationError, undefined);
    assert.ok(Date.parse(rotated.expirationTime!) > Date.parse(first.expirationTime!), 'expiry moved later');
    assert.notEqual(await storedKubeconfig(), firstKubeconfig, 'the Secret holds a new token');
    // Sync runs on the new token: a pod created now reaches east.
    await createPods(kcOf('west'), [
      { ns: 'shop', name: 'db-1', labels: { app: 'db' }, ip: '10.20.1.11', node: 'w1' },
    ]);
    await waitFor('west.db-1 in east', async () =>
      (await kubectlOk(kcOf('east'), ['get', 'fep', '-n', 'shop', '-o', 'name'])).includes('west.db-1'),
    );
    const connected = await kubectlOk(kcOf('east'), [
      ...['get', 'rcc', 'west', '-o', 'jsonpath={.status.conditions[?(@.type=="Connected")].status}'],
    ]);
    assert.equal(connected, 'True');
  });
});
