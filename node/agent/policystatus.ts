// policystatus.ts: the FedmeshPolicyReady condition fedmesh-node writes on its Node: whether the
// policy of its pods is enforced from a complete view, waits for that view (the kernel keeps the
// rules it has meanwhile), or failed to apply.
import type { PolicyConditionReason } from '../../api/index.js';
import type { PolicyEnforcer } from '../policy/enforcer.js';
import type { ConditionReport } from './nodestatus.js';

/** policyCondition renders the enforcer's state as the node's policy condition. */
export function policyCondition(e: Pick<PolicyEnforcer, 'status' | 'last'>): ConditionReport {
  const reason: PolicyConditionReason = e.status.startsWith('waiting')
    ? 'WaitingForSync'
    : e.status.startsWith('policy apply failed')
      ? 'ApplyFailed'
      : 'Enforced';
  if (reason !== 'Enforced') return { status: 'False', reason, message: e.status };
  const note = e.status ? ` (${e.status})` : '';
  return { status: 'True', reason, message: `the policy of this node's pods is enforced${note}` };
}
