// local.ts: registration of a fedmesh-apiserver that runs as a local process (tests, the demo):
// an ExternalName Service pointing at localhost and the APIService with the serving CA, so the
// cluster's aggregator reaches the server on loopback.
import { APISERVICE_NAME, GROUP, VERSION } from '../../../api/index.js';

/** LocalRegistration says where the local server listens and which CA signed its certificate. */
export interface LocalRegistration {
  port: number;
  caPem: string;
  namespace?: string;
  service?: string;
}

export { APISERVICE_NAME };

/** localRegistrationObjects returns the Namespace, Service and APIService to apply. */
export function localRegistrationObjects(r: LocalRegistration): Record<string, unknown>[] {
  const namespace = r.namespace ?? 'fedmesh';
  const name = r.service ?? 'fedmesh-apiserver';
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels: { 'app.kubernetes.io/name': 'fedmesh-apiserver' } },
      spec: { type: 'ExternalName', externalName: 'localhost' },
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: APISERVICE_NAME, labels: { 'app.kubernetes.io/name': 'fedmesh-apiserver' } },
      spec: {
        group: GROUP,
        version: VERSION,
        groupPriorityMinimum: 1000,
        versionPriority: 15,
        service: { namespace, name, port: r.port },
        caBundle: Buffer.from(r.caPem).toString('base64'),
      },
    },
  ];
}
