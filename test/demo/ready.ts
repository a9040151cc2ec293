// ready.ts: what the demo prints once it is ready: the kubeconfig paths and commands to try, each
// runnable exactly as printed (the first puts the kubectl-mesh plugin on PATH).
import { join, relative } from 'node:path';
import { packageRoot } from '../harness/root.js';

/** shown prints a path relative to the checkout when it lies inside it (as the README shows it). */
export function shown(path: string): string {
  const rel = relative(packageRoot(), path);
  return rel.startsWith('..') ? path : rel;
}

/** tryCommands are the commands printed under "Try:", in order; the first sets PATH. The first
 * cluster runs the frontends, the second the db pods with the sample policy and export. */
export function tryCommands(kubeconfigs: string[], realNodes: boolean): string[] {
  const kc = `--kubeconfig ${shown(kubeconfigs[0]!)}`;
  const kcB = `--kubeconfig ${shown(kubeconfigs[1] ?? kubeconfigs[0]!)}`;
  const dbIP = `$(kubectl ${kc} get fep -n shop cluster-b.db-0 -o jsonpath='{.spec.ips[0]}')`;
  return [
    `export PATH="${join(packageRoot(), 'kubectl-plugin', 'bin')}:$PATH"`,
    ...(realNodes
      ? [
          `kubectl ${kc} get pods -A -o wide      # real pods, IPs from the nodes`,
          `kubectl ${kc} exec -n shop frontend-0 -- ip -4 addr show eth0`,
          `kubectl ${kc} logs -n shop frontend-0`,
          // fedmesh's overlay: cluster-b's db-0 answers with the peer address it saw, frontend-0's own IP;
          // cluster-b's policy db-from-frontends lets frontends in and keeps every other pod out.
          `kubectl ${kc} exec -n shop frontend-0 -- wget -qO- http://${dbIP}:8080/   # across clusters, source IP kept, allowed by policy`,
          `kubectl ${kc} exec -n shop cart-0 -- timeout -s KILL 3 wget -qO- http://${dbIP}:8080/ || echo "refused: cluster-b's policy admits only frontends"`,
        ]
      : []),
    `kubectl ${kc} get federatedendpoints -A -o wide`,
    `kubectl ${kc} get rcc                  # cluster-b connected and synced`,
    `kubectl mesh status ${kc}`,
    `kubectl mesh select ${kc} "app == 'db'" -n shop`,
    `kubectl ${kcB} get meshnetworkpolicies -n shop   # the sample policy, Valid`,
    `kubectl ${kcB} get federatedipsets       # the IP sets its selectors resolve to, across clusters`,
    `kubectl mesh explain ${kcB} -n shop --from cluster-a.frontend-0 --to cluster-b.db-0 --port 8080/TCP`,
    `kubectl mesh explain ${kcB} -n shop --from cluster-a.cart-0 --to cluster-b.db-0 --port 8080/TCP`,
    `kubectl ${kc} get fsvc -n shop              # shop/db-global gathers the db Services of every cluster`,
    `kubectl ${kc} get endpointslices -n shop -l kubernetes.io/service-name=db-global`,
    `kubectl mesh explain ${kc} svc db-global -n shop`,
    `kubectl ${kc} get serviceimports -n shop    # shop/db, exported by cluster-b (Multi-Cluster Services)`,
    `kubectl mesh explain ${kc} svc db -n shop    # the import: exporting clusters, ports, endpoints`,
    `kubectl ${kc} get federatedhostendpoints`,
    `kubectl ${kc} explain federatedendpoint.spec`,
  ];
}

/** printReady prints where the clusters' kubeconfigs are and what to try. */
export function printReady(clusters: { name: string; kubeconfig: string }[], realNodes: boolean): void {
  console.log(
    `fedmesh demo is ready${realNodes ? ' (2 real nodes per cluster)' : ' (API-only: no real nodes)'}.`,
  );
  for (const c of clusters) console.log(`  ${c.name}: ${shown(c.kubeconfig)}`);
  console.log('Try (in this folder; the first line puts the kubectl-mesh plugin on PATH):');
  for (const cmd of tryCommands(
    clusters.map((c) => c.kubeconfig),
    realNodes,
  ))
    console.log(`  ${cmd}`);
}
