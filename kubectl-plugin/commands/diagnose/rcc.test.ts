// rcc.test.ts: what diagnose says about one remote cluster, per condition reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Permission, RCCCondition } from '../../../api/index.js';
import type { RCC } from '../../kube/index.js';
import { rccChecks } from './rcc.js';

const T = '2026-01-01T00:00:00Z';
const cond = (type: RCCCondition['type'], status: RCCCondition['status'], reason: string): RCCCondition =>
  ({ type, status, reason, message: `${reason} message`, lastTransitionTime: T }) as RCCCondition;

function rcc(conditions: RCCCondition[], missingPermission?: Permission): RCC {
  return {
    apiVersion: 'config.federated.mesh/v1alpha1',
    kind: 'RemoteClusterConfiguration',
    metadata: { name: 'west' },
    spec: {
      clusterAccessSecret: { name: 's', namespace: 'fedmesh' },
      syncOptions: { overlayRoutingMode: 'Disabled' },
    },
    status: { conditions, ...(missingPermission ? { missingPermission } : {}) },
  };
}

describe('diagnose: remote cluster checks', () => {
  const cases: { name: string; rcc: RCC; want: { level: string; fix?: RegExp }[] }[] = [
    {
      name: 'healthy',
      rcc: rcc([cond('Connected', 'True', 'Connected'), cond('Synced', 'True', 'Synced')]),
      want: [{ level: 'OK' }, { level: 'OK' }],
    },
    {
      name: 'forbidden names the missing permission from its fields',
      rcc: rcc([cond('Connected', 'False', 'Forbidden'), cond('Synced', 'False', 'NotConnected')], {
        verb: 'list',
        group: 'discovery.k8s.io',
        resource: 'endpointslices',
      }),
      want: [
        {
          level: 'FAIL',
          fix: /grant the reader in the remote cluster "list endpointslices\.discovery\.k8s\.io at the cluster scope"/,
        },
        { level: 'FAIL', fix: /fix the Connected condition first/ },
      ],
    },
    {
      name: 'a core-group permission has no group suffix',
      rcc: rcc([cond('Connected', 'False', 'Forbidden')], { verb: 'watch', group: '', resource: 'pods' }),
      want: [{ level: 'FAIL', fix: /"watch pods at the cluster scope"/ }, { level: 'WARN' }],
    },
    {
      name: 'a reason from a newer server falls back to describe',
      rcc: rcc([cond('Connected', 'False', 'SomethingNew'), cond('Synced', 'True', 'Synced')]),
      want: [{ level: 'FAIL', fix: /^kubectl describe rcc west$/ }, { level: 'OK' }],
    },
    {
      name: 'overlapping pod IPs fail with the re-addressing fix',
      rcc: rcc([
        cond('Connected', 'True', 'Connected'),
        cond('Synced', 'True', 'Synced'),
        cond('IPConflict', 'True', 'OverlappingPodIPs'),
      ]),
      want: [
        { level: 'OK' },
        { level: 'OK' },
        { level: 'FAIL', fix: /pod CIDRs of meshed clusters must not overlap/ },
      ],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const got = rccChecks(c.rcc);
      assert.equal(got.length, c.want.length);
      c.want.forEach((w, i) => {
        assert.equal(got[i]!.level, w.level, `check ${i}`);
        if (w.fix) assert.match(got[i]!.fix ?? '', w.fix, `fix of check ${i}`);
      });
    });
});
