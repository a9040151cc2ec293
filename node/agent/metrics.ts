// metrics.ts: fedmesh-node's Prometheus metrics, in a registry of its own (no global state).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** AgentMetrics are the agent's metrics. */
export class AgentMetrics {
  readonly registry = new Registry();
  readonly remoteNodes = new Gauge({
    name: 'fedmesh_node_remote_nodes',
    help: 'Remote nodes programmed.',
    registers: [this.registry],
  });
  readonly routes = new Gauge({
    name: 'fedmesh_node_routes',
    help: 'Routes fedmesh-node owns.',
    registers: [this.registry],
  });
  readonly skipped = new Gauge({
    name: 'fedmesh_node_skipped_routes',
    help: 'Remote pod CIDRs held by routes fedmesh-node does not own.',
    registers: [this.registry],
  });
  readonly conflicts = new Gauge({
    name: 'fedmesh_node_conflicts',
    help: 'Keys two remote nodes claim (pod CIDR, VTEP MAC or next hop).',
    registers: [this.registry],
  });
  readonly pods = new Gauge({
    name: 'fedmesh_node_registered_pods',
    help: 'Pods registered by fedmesh-cni.',
    registers: [this.registry],
  });
  readonly policyWaiting = new Gauge({
    name: 'fedmesh_node_policy_waiting',
    help: 'Whether policy enforcement waits (1): for a model synced from every cluster, or after a failed apply.',
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'fedmesh_node_reconcile_duration_seconds',
    help: 'Duration of a reconcile (observe, diff, apply).',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly changes = new Counter({
    name: 'fedmesh_node_reconcile_changes_total',
    help: 'Batch lines and nft transactions applied.',
    registers: [this.registry],
  });
  readonly errors = new Counter({
    name: 'fedmesh_node_reconcile_errors_total',
    help: 'Failed reconciles.',
    registers: [this.registry],
  });
}
