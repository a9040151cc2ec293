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
  readonly #pending = new Map<string, { ns: string; name: string; s: PolicyStatus }>();
  #timer?: NodeJS.Timeout;

  constructor(
    kc: KubeConfig,
    private readonly isLeader: () => boolean,
    private readonly log: Logger,
    private readonly intervalMs = 500,
  ) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
  }

  /** publish records a policy's latest status; it is written within intervalMs if leader. */
  publish(p: MeshNetworkPolicy, s: PolicyStatus): void {
    const ns = p.metadata.namespace ?? '';
    const name = p.metadata.name ?? '';
    this.#pending.set(`${ns}/${name}`, { ns, name, s });
    this.#timer ??= setTimeout(() => void this.#flush(), this.intervalMs).unref();
  }

  /** forget drops a deleted policy. */
  forget(key: string): void {
    this.#pending.delete(key);
  }

  /** stop cancels pending writes. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#pending.clear();
  }

  async #flush(): Promise<void> {
    this.#timer = undefined;
    if (!this.isLeader()) {
      if (this.#pending.size) this.#timer = setTimeout(() => void this.#flush(), this.intervalMs).unref();
      return;
    }
    const batch = [...this.#pending.values()];
    this.#pending.clear();
    for (const w of batch) {
      await this.#write(w.ns, w.name, w.s).catch((err: unknown) => {
        if ((err as { code?: number }).code === 404) return;
        this.log.debug('writing MeshNetworkPolicy status failed; retrying', {
          policy: `${w.ns}/${w.name}`,
          error: String(err),
        });
        if (!this.#pending.has(`${w.ns}/${w.name}`)) {
          this.#pending.set(`${w.ns}/${w.name}`, w);
          this.#timer ??= setTimeout(() => void this.#flush(), this.intervalMs).unref();
        }
      });
    }
  }

  async #write(namespace: string, name: string, s: PolicyStatus): Promise<void> {
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
