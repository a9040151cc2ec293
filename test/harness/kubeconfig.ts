// kubeconfig.ts: kubeconfig files for harness clusters (client-certificate users).
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { KeyPair } from '../../core/pki.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** KubeconfigSpec names a cluster endpoint and one client-certificate user. */
export interface KubeconfigSpec {
  clusterName: string;
  server: string;
  caPem: string;
  userName: string;
  credential: KeyPair;
  namespace?: string;
}

/** renderKubeconfig returns kubeconfig YAML with one cluster, user and (current) context. */
export function renderKubeconfig(s: KubeconfigSpec): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: s.clusterName, cluster: { server: s.server, 'certificate-authority-data': b64(s.caPem) } },
    ],
    users: [
      {
        name: s.userName,
        user: {
          'client-certificate-data': b64(s.credential.certPem),
          'client-key-data': b64(s.credential.keyPem),
        },
      },
    ],
    contexts: [
      {
        name: s.clusterName,
        context: {
          cluster: s.clusterName,
          user: s.userName,
          ...(s.namespace ? { namespace: s.namespace } : {}),
        },
      },
    ],
    'current-context': s.clusterName,
    preferences: {},
  });
}

/** writeKubeconfig writes renderKubeconfig(s) to path with owner-only permissions. */
export function writeKubeconfig(path: string, s: KubeconfigSpec): string {
  writeFileSync(path, renderKubeconfig(s), { mode: 0o600 });
  return path;
}
