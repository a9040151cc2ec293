// flow.ts: one direction of connect (a consumer pulls from a remote): preflight, the reader and its
// credential in the remote, the Secret and RemoteClusterConfiguration in the consumer, then a wait
// until the consumer reports the remote Synced.
import type { Condition } from '../../../api/index.js';
import { CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import { CliError } from '../../cli/errors.js';
import { apply, statusError, waitFor } from '../../kube/index.js';
import { issueToken, reachable, storedCredential, type Credential } from './credential.js';
import { cidrCheck, installedCheck, nameCheck, type CheckResult, type Pair } from './preflight.js';
import { consumerObjects, RCC_API, readerName, readerObjects } from './objects.js';

/** FlowOptions are connect's flags for one direction. */
export interface FlowOptions {
  expirationMs: number;
  timeoutMs: number;
  rotateToken: boolean;
  say: (line: string) => void;
}

const FIELD_MANAGER = { fieldManager: 'kubectl-mesh' };

/** preflight runs and prints the read-only checks of a pair; it throws when one fails. */
export async function preflight(p: Pair, say: (line: string) => void): Promise<void> {
  say(
    `Preflight: ${p.consumer.context} pulls from ${p.remote.context} (${p.remote.server}) as "${p.name}"\n`,
  );
  const results = [await nameCheck(p), await installedCheck(p), ...(await cidrCheck(p))];
  for (const r of results) say(checkLine(r));
  const failed = results.filter((r) => !r.ok);
  if (failed.length > 0)
    throw new CliError(
      'EINVALID',
      `preflight failed: ${failed.map((f) => f.message).join('; ')}`,
      undefined,
      failed.find((f) => f.fix)?.fix,
    );
}

/** checkLine renders a check result: OK or FAIL, the message, and the fix under a failure. */
export function checkLine(r: CheckResult): string {
  return r.ok
    ? `  OK    ${r.message}\n`
    : `  FAIL  ${r.message}\n` + (r.fix ? `        fix: ${r.fix}\n` : '');
}

/** connectPair creates both sides of one direction and waits until it is Synced; returns the RCC. */
export async function connectPair(p: Pair, o: FlowOptions): Promise<KubernetesObject> {
  await apply(p.remote.kc, readerObjects(p.consumerName), FIELD_MANAGER);
  o.say(
    `ServiceAccount fedmesh/${readerName(p.consumerName)} (get/list/watch only) applied in ${p.remote.context}\n`,
  );
  const cred = await credential(p, o);
  o.say(`  ${cred.summary}\n`);
  await apply(p.consumer.kc, consumerObjects(p.name, cred.kubeconfig), FIELD_MANAGER);
  o.say(
    `Secret fedmesh/remote-${p.name} and RemoteClusterConfiguration ${p.name} applied in ${p.consumer.context}\n`,
  );
  return waitSynced(p, o);
}

// credential reuses a stored working token unless asked to rotate, else issues one, and checks it.
async function credential(p: Pair, o: FlowOptions): Promise<Credential> {
  let cred = o.rotateToken ? undefined : await storedCredential(p.consumer, p.name, p.remote.server);
  if (cred && (await reachable(cred.kubeconfig)) !== undefined) cred = undefined;
  cred ??= await issueToken(p.remote, p.name, p.consumerName, o.expirationMs);
  const problem = await reachable(cred.kubeconfig);
  o.say(
    checkLine(
      problem
        ? {
            ok: false,
            message: `${p.remote.context} API with the new credential: ${problem}`,
            fix: `check that ${p.remote.server} is reachable and the ServiceAccount can list pods`,
          }
        : { ok: true, message: `${p.remote.context} API answers the new credential (it can list pods)` },
    ),
  );
  if (problem)
    throw new CliError('EUNREACHABLE', `${p.remote.context} API rejects the new credential: ${problem}`);
  return cred;
}

/** waitSynced polls the RCC until Synced=True, printing the Connected condition while waiting. */
export async function waitSynced(p: Pair, o: FlowOptions): Promise<KubernetesObject> {
  const api = p.consumer.kc.makeApiClient(CustomObjectsApi);
  let rcc: KubernetesObject & { status?: { conditions?: Condition[] } } = {};
  const check = async (): Promise<true | string> => {
    try {
      rcc = (await api.getClusterCustomObject({ ...RCC_API, name: p.name })) as typeof rcc;
    } catch (err) {
      return statusError(err).message;
    }
    return syncState(rcc.status?.conditions ?? []);
  };
  await waitFor(`${p.consumer.context} to sync ${p.name}`, check, o.timeoutMs, (l) => o.say(l), {
    next: `Run \`kubectl mesh diagnose --context ${p.consumer.context}\` to see what is wrong.`,
  });
  return rcc;
}

/** ConditionFields are the fields of a condition syncState reads. */
export type ConditionFields = Pick<Condition, 'type' | 'status'> &
  Partial<Pick<Condition, 'reason' | 'message'>>;

/** syncState is true when Synced, else the Connected condition in words (or what is pending). */
export function syncState(conditions: readonly ConditionFields[]): true | string {
  const find = (t: string): ConditionFields | undefined => conditions.find((c) => c.type === t);
  if (find('Synced')?.status === 'True') return true;
  const c = find('Connected');
  if (!c) return 'fedmesh has not reported a status yet';
  if (c.status === 'True') return `connected; ${find('Synced')?.message ?? 'syncing'}`;
  return `Connected=${c.status} (${c.reason ?? 'Unknown'}): ${c.message ?? ''}`;
}
