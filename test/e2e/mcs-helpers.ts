// mcs-helpers.ts: fixtures of the Multi-Cluster Services scenario: ServiceExports, reading
// ServiceImports, derived Services and export conditions as a user would with kubectl.
import { derivedServiceName } from '../../api/index.js';
import { kubectl, kubectlOk } from '../harness/kubectl.js';
import { NS, conditionOf } from './fedservices-helpers.js';

/** serviceExport exports the Service name of namespace NS. */
export const serviceExport = (name: string): object => ({
  apiVersion: 'multicluster.x-k8s.io/v1alpha1',
  kind: 'ServiceExport',
  metadata: { name, namespace: NS },
});

/** servicePort is a Service selecting app=db pods, exposing port (→ echo's 8080) as "tcp". */
export const servicePort = (name: string, port: number): object => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: NS },
  spec: { selector: { app: 'db' }, ports: [{ name: 'tcp', port, targetPort: 8080, protocol: 'TCP' }] },
});

/** ImportView is a ServiceImport as the tests compare it. */
export interface ImportView {
  type: string;
  ports: string;
  ips: string[];
  clusters: string[];
  derived: string;
}

/** importOf returns the ServiceImport NS/name, or undefined when there is none. */
export async function importOf(kubeconfig: string, name: string): Promise<ImportView | undefined> {
  const r = await kubectl(kubeconfig, ['get', 'serviceimports', '-n', NS, name, '-o', 'json']);
  if (r.code !== 0) return undefined;
  const o = JSON.parse(r.stdout) as {
    metadata: { annotations?: Record<string, string> };
    spec: { type: string; ports?: { name?: string; port: number; protocol?: string }[]; ips?: string[] };
    status?: { clusters?: { cluster: string }[] };
  };
  return {
    type: o.spec.type,
    ports: (o.spec.ports ?? []).map((p) => `${p.name ?? ''}:${p.port}/${p.protocol ?? ''}`).join(','),
    ips: o.spec.ips ?? [],
    clusters: (o.status?.clusters ?? []).map((c) => c.cluster),
    derived: o.metadata.annotations?.['multicluster.kubernetes.io/derived-service'] ?? '',
  };
}

/** derivedIP returns the ClusterIP of the derived Service of NS/name ('' when absent). */
export async function derivedIP(kubeconfig: string, name: string): Promise<string> {
  const r = await kubectl(kubeconfig, [
    'get',
    'svc',
    '-n',
    NS,
    derivedServiceName(NS, name),
    '-o',
    'jsonpath={.spec.clusterIP}',
  ]);
  return r.code === 0 ? r.stdout.trim() : '';
}

/** exportCondition returns status/reason/message of a ServiceExport condition ('' when absent). */
export const exportCondition = (kubeconfig: string, name: string, type: string): Promise<string> =>
  conditionOf(kubeconfig, 'serviceexports', name, type);

/** unexport deletes the ServiceExport NS/name. */
export const unexport = (kubeconfig: string, name: string): Promise<string> =>
  kubectlOk(kubeconfig, ['delete', 'serviceexports', '-n', NS, name]);
