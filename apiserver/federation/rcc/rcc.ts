// rcc.ts: what a RemoteClusterConfiguration asks for: the cluster name and the kubeconfig in its
// access Secret (key `kubeconfig`; Calico's `datastoreType: kubernetes` is accepted), or why the
// configuration cannot be used, in words a user can act on.
import { createHash } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import type { RemoteClusterConfiguration } from '../../../api/index.js';
import type { Problem } from './health.js';

/** RCCObject is a RemoteClusterConfiguration as read by the controller (spec fields may be missing in bad input). */
export type RCCObject = Pick<RemoteClusterConfiguration, 'metadata'> & {
  spec?: Partial<RemoteClusterConfiguration['spec']>;
};

/** Desired is a usable remote cluster configuration. */
export interface Desired {
  cluster: string;
  kubeconfig: string;
  /** Changes whenever anything that needs a syncer restart changes. */
  hash: string;
}

/** secretRef returns namespace/name of the RCC's access Secret, if set. */
export function secretRef(rcc: RCCObject): string | undefined {
  const s = rcc.spec?.clusterAccessSecret;
  return s?.name && s.namespace ? `${s.namespace}/${s.name}` : undefined;
}

/** desiredFrom resolves an RCC against its Secret (undefined when not found). */
export function desiredFrom(
  rcc: RCCObject,
  secret: V1Secret | undefined,
  secretNamespace?: string,
): Desired | Problem {
  const ref = secretRef(rcc);
  if (!ref) return { reason: 'InvalidSpec', message: 'spec.clusterAccessSecret needs name and namespace' };
  const ns = rcc.spec?.clusterAccessSecret?.namespace;
  if (secretNamespace !== undefined && ns !== secretNamespace) {
    return {
      reason: 'SecretOutsideNamespace',
      message: `Secret ${ref} is not in namespace ${secretNamespace}, the only one fedmesh-apiserver may read Secrets in; move it there and set spec.clusterAccessSecret.namespace: ${secretNamespace} (kubectl mesh connect does this)`,
    };
  }
  if (!secret) {
    return {
      reason: 'SecretNotFound',
      message: `Secret ${ref} not found; create it with a key "kubeconfig" (kubectl mesh connect does this)`,
    };
  }
  const data = secret.data ?? {};
  const datastore = data.datastoreType
    ? Buffer.from(data.datastoreType, 'base64').toString().trim()
    : 'kubernetes';
  if (datastore !== 'kubernetes') {
    return {
      reason: 'UnsupportedDatastore',
      message: `Secret ${ref} has datastoreType "${datastore}"; only "kubernetes" is supported`,
    };
  }
  if (!data.kubeconfig) {
    return {
      reason: 'SecretMissingKey',
      message: `Secret ${ref} has no key "kubeconfig"; keys present: ${Object.keys(data).join(', ') || 'none'}`,
    };
  }
  const kubeconfig = Buffer.from(data.kubeconfig, 'base64').toString('utf8');
  const hash = createHash('sha256').update(rcc.metadata.name).update('\0').update(kubeconfig).digest('hex');
  return { cluster: rcc.metadata.name, kubeconfig, hash };
}

/** isProblem tells a Problem from a Desired. */
export const isProblem = (d: Desired | Problem): d is Problem => 'reason' in d;
