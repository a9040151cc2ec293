// status.ts: writes MeshNetworkPolicy status (condition Valid, the IP sets used), by the leader
// only, coalesced per policy and at most once per interval, and only when it changed.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import {
  MESH_NETWORK_POLICIES as MNP,
  type Condition,
  type MeshNetworkPolicy,
  type MeshNetworkPolicyStatus,
} from '../../../api/index.js';
import type { PolicyProblem } from '../../../core/policy/compile.js';
import type { Logger } from '../../log.js';
import { CoalescingWriter } from '../coalesce.js';

/** PolicyStatus is what the controller made of a policy. */
export interface PolicyStatus {
  valid: boolean;
  problems?: PolicyProblem[];
  ipSets: string[];
}

const GVR = { group: MNP.group, version: MNP.version, plural: MNP.plural };

/** validCondition renders the Valid condition, keeping the transition time while the status holds. */
export function validCondition(
  s: PolicyStatus,
  generation: number | undefined,
  prev: Condition | undefined,
  now: Date,
): Condition {
  const status = s.valid ? 'True' : 'False';
  const message = s.valid
    ? 'the policy compiled; nodes enforce it'
    : `the policy is not enforced: ${(s.problems ?? []).map((p) => `${p.field}: ${p.message}`).join('; ')}`;
  return {
    type: 'Valid',
    status,
    reason: s.valid ? 'Compiled' : 'InvalidPolicy',
    message: message.slice(0, 32_000),
    ...(generation !== undefined && { observedGeneration: generation }),
    lastTransitionTime:
      prev?.status === status && prev.lastTransitionTime
        ? prev.lastTransitionTime
        : now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  };
}

/** PolicyStatusWriter writes policy status when leader. */
export class PolicyStatusWriter {
  readonly #api: CustomObjectsApi;
  readonly #loop: CoalescingWriter<PolicyStatus>;

  constructor(kc: KubeConfig, isLeader: () => boolean, log: Logger, intervalMs = 500) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
    this.#loop = new CoalescingWriter({
      write: (key, s) => this.#write(key, s),
      isLeader,
      log,
      what: 'MeshNetworkPolicy status',
      intervalMs,
    });
  }

  /** publish records a policy's latest status; it is written within intervalMs if leader. */
  publish(p: MeshNetworkPolicy, s: PolicyStatus): void {
    this.#loop.set(`${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`, s);
  }

  /** forget drops a deleted policy. */
  forget(key: string): void {
    this.#loop.forget(key);
  }

  /** stop cancels pending writes. */
  stop(): void {
    this.#loop.stop();
  }

  async #write(key: string, s: PolicyStatus): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const obj = (await this.#api.getNamespacedCustomObject({ ...GVR, namespace, name })) as MeshNetworkPolicy;
    const prev = obj.status?.conditions?.find((c) => c.type === 'Valid');
    const status: MeshNetworkPolicyStatus = {
      conditions: [validCondition(s, obj.metadata.generation, prev, new Date())],
      ...(obj.metadata.generation !== undefined && { observedGeneration: obj.metadata.generation }),
      ipSets: s.ipSets,
    };
    if (JSON.stringify(obj.status) === JSON.stringify(status)) return;
    await this.#api.replaceNamespacedCustomObjectStatus({
      ...GVR,
      namespace,
      name,
      body: { ...obj, status },
    });
  }
}
