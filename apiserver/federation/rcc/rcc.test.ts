// rcc.test.ts: how an RCC and its Secret resolve into what to sync, or the problem to report.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Secret } from '@kubernetes/client-node';
import { desiredFrom, isProblem, type RCCObject } from './rcc.js';

const rcc = (namespace: string): RCCObject =>
  ({
    apiVersion: 'config.federated.mesh/v1alpha1',
    kind: 'RemoteClusterConfiguration',
    metadata: { name: 'east' },
    spec: { clusterAccessSecret: { name: 'remote-east', namespace } },
  }) as RCCObject;
const secret = (namespace: string): V1Secret => ({
  metadata: { name: 'remote-east', namespace },
  data: { kubeconfig: Buffer.from('apiVersion: v1\nkind: Config\n').toString('base64') },
});

describe('desiredFrom', () => {
  it('uses a Secret in the server namespace', () => {
    assert.equal(isProblem(desiredFrom(rcc('fedmesh'), secret('fedmesh'), 'fedmesh')), false);
  });

  it('refuses a Secret outside the server namespace, saying where to move it', () => {
    const d = desiredFrom(rcc('kube-system'), secret('kube-system'), 'fedmesh');
    assert.ok(isProblem(d));
    assert.equal(d.reason, 'SecretOutsideNamespace');
    assert.match(
      d.message,
      /Secret kube-system\/remote-east is not in namespace fedmesh.*namespace: fedmesh/,
    );
  });
});
