// fedservices-helpers.ts: fixtures of the federated services scenario: backing Services and pods,
// the federated Service, and reading its EndpointSlices and FederatedService as a user would.
import { kubectl, kubectlOk, applyObjects } from '../harness/kubectl.js';

/** NS is the namespace the scenario runs in, in every cluster. */
export const NS = 'shop';

/** backingService is a plain Service selecting app=db pods (or podSelector) on port tcp (80 → echo's 8080). */
export const backingService = (
  name: string,
  labels: Record<string, string>,
  protocol = 'TCP',
  podSelector: Record<string, string> = { app: 'db' },
): object => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NS, labels },
  spec: { selector: podSelector, ports: [{ name: 'tcp', port: 80, targetPort: 8080, protocol }] },
});

/** federatedService is a Service without spec.selector whose annotation selects app == 'db' Services (or serviceSelector). */
export const federatedService = (
  name: string,
  selector?: Record<string, string>,
  serviceSelector = "app == 'db'",
): object => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NS, annotations: { 'federated.mesh/service-selector': serviceSelector } },
  spec: { ...(selector ? { selector } : {}), ports: [{ name: 'tcp', port: 80, protocol: 'TCP' }] },
});

/** applyIn applies objects to a cluster's kubeconfig. */
export const applyIn = (kubeconfig: string, objs: object[]): Promise<void> => applyObjects(kubeconfig, objs);

/** SliceView is an EndpointSlice as the tests compare it. */
export interface SliceView {
  name: string;
  managedBy: string;
  source: string;
  addresses: string[];
  ports: string;
  targets: string[];
  rv: string;
  stale: string;
}

/** slicesOf lists the EndpointSlices of a Service, sorted by name. */
export async function slicesOf(kubeconfig: string, service: string): Promise<SliceView[]> {
  const out = await kubectlOk(kubeconfig, [
    'get',
    'endpointslices',
    '-n',
    NS,
    '-l',
    `kubernetes.io/service-name=${service}`,
    '-o',
    'json',
  ]);
  type Slice = {
    metadata: {
      name: string;
      resourceVersion: string;
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
    };
    ports?: { name?: string; port?: number; protocol?: string }[];
    endpoints?: { addresses: string[]; targetRef?: { name?: string } }[];
  };
  const items = (JSON.parse(out) as { items: Slice[] }).items;
  return items
    .map((s) => ({
      name: s.metadata.name,
      managedBy: s.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] ?? '',
      source: s.metadata.labels?.['multicluster.kubernetes.io/source-cluster'] ?? '',
      addresses: (s.endpoints ?? []).flatMap((e) => e.addresses).sort(),
      ports: (s.ports ?? []).map((p) => `${p.name}:${p.port}/${p.protocol}`).join(','),
      targets: (s.endpoints ?? []).map((e) => e.targetRef?.name ?? '').sort(),
      rv: s.metadata.resourceVersion,
      stale: s.metadata.annotations?.['federated.mesh/source-stale'] ?? '',
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** addressesBySource maps each source cluster to the addresses of its slices. */
export async function addressesBySource(
  kubeconfig: string,
  service: string,
): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const s of await slicesOf(kubeconfig, service))
    out[s.source] = [...(out[s.source] ?? []), ...s.addresses].sort();
  return out;
}

/** conditionOf returns status/reason/message of a condition of NS/name ('' when absent). */
export async function conditionOf(
  kubeconfig: string,
  resource: string,
  name: string,
  type: string,
): Promise<string> {
  const c = `.status.conditions[?(@.type=="${type}")]`;
  const jsonpath = `jsonpath={${c}.status}/{${c}.reason}/{${c}.message}`;
  const r = await kubectl(kubeconfig, ['get', resource, '-n', NS, name, '-o', jsonpath]);
  return r.code === 0 ? r.stdout : '';
}

/** fsvcCondition returns status/reason/message of a FederatedService condition ('' when absent). */
export const fsvcCondition = (kubeconfig: string, name: string, type: string): Promise<string> =>
  conditionOf(kubeconfig, 'fsvc', name, type);
