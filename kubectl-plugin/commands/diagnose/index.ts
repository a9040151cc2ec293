// index.ts: `kubectl mesh diagnose`: every check prints [OK], [WARN] or [FAIL] with what is wrong
// and the command that fixes it; the exit code is 1 if any check fails.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Command, Group } from '../../cli/command.js';
import { getAPIService, isNotFound, listRCCs, loadKube, request, statusError } from '../../kube/index.js';
import {
  apiServiceCheck,
  bindingChecks,
  canListCheck,
  certChecks,
  clockCheck,
  isLocalMode,
  podCIDRCheck,
} from './checks.js';
import { listNodeOverlays } from '../status/nodes.js';
import { overlayChecks } from './overlay.js';
import { rccChecks } from './rcc.js';
import { policyChecks, serviceChecks } from './workloads.js';
import { fail, line, type Result } from './result.js';

const diagnoseCommand: Command = {
  name: 'diagnose',
  summary: 'Check the mesh installation and connections; print what is wrong and how to fix it',
  description: [
    'Check the mesh: the APIService is Available; you can list federatedendpoints and the',
    "fedmesh-apiserver ServiceAccount's bindings exist; certificates are not close to expiry; each",
    'remote cluster is Connected and Synced without IP conflicts; pod CIDRs do not overlap between',
    "clusters; each node's fedmesh-node reports its overlay ready (FedmeshOverlayReady); and this",
    "machine's clock agrees with the API server; MeshNetworkPolicies are valid and every node enforces",
    'them (FedmeshPolicyReady); federated Services and ServiceExports have no conflict. Each problem comes with the',
    'command that fixes it. Exit code 1 if any check fails (warnings do not fail).',
  ].join('\n'),
  args: [],
  examples: ['kubectl mesh diagnose', 'kubectl mesh diagnose --context east -o json'],
  async run(ctx) {
    const { kc, context } = loadKube(ctx.global);
    const results = await diagnose(kc);
    const failed = results.some((r) => r.level === 'FAIL');
    if (ctx.global.output === 'json' || ctx.global.output === 'yaml')
      ctx.out.print({ kind: 'MeshDiagnosis', context, ok: !failed, checks: results }, []);
    else {
      for (const r of results) ctx.io.stdout(line(r));
      const n = results.filter((r) => r.level === 'FAIL').length;
      ctx.io.stdout(
        failed
          ? `\n${n} check(s) failed in context ${context}.\n`
          : `\nAll checks passed in context ${context}.\n`,
      );
    }
    return failed ? 1 : 0;
  },
};

/** diagnoseGroup is `kubectl mesh diagnose`. */
export const diagnoseGroup: Group = {
  name: 'diagnose',
  summary: diagnoseCommand.summary,
  commands: [],
  leaf: diagnoseCommand,
};

/** diagnose runs every check in order; a check that cannot run is itself a failure. */
export async function diagnose(kc: KubeConfig): Promise<Result[]> {
  const svc = await getAPIService(kc);
  const api = apiServiceCheck(svc);
  const local = await isLocalMode(kc, svc);
  const out: Result[] = [api];
  const run = async (what: string, f: () => Promise<Result | Result[]>): Promise<void> => {
    try {
      out.push(...[await f()].flat());
    } catch (err) {
      out.push(fail(`cannot check ${what}: ${statusError(err).message}`, 'kubectl cluster-info'));
    }
  };
  if (api.level === 'OK') await run('RBAC', () => canListCheck(kc));
  if (!local && svc) await run('ServiceAccount bindings', () => bindingChecks(kc));
  await run('certificates', () => certChecks(kc, svc, local || !svc));
  await run('remote clusters', async () => (await listRCCs(kc)).flatMap(rccChecks));
  if (api.level === 'OK') await run('pod CIDRs', () => podCIDRCheck(kc));
  await run('the overlay of each node', async () =>
    overlayChecks(await listNodeOverlays(kc), await daemonSetExists(kc)),
  );
  if (api.level === 'OK') {
    await run('network policies', () => policyChecks(kc));
    await run('federated services and exports', () => serviceChecks(kc));
  }
  await run('clock skew', () => clockCheck(kc));
  return out;
}

// daemonSetExists: fedmesh-node is installed (its DaemonSet exists).
async function daemonSetExists(kc: KubeConfig): Promise<boolean> {
  try {
    await request(kc, 'GET', '/apis/apps/v1/namespaces/fedmesh/daemonsets/fedmesh-node');
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
