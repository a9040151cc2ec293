// pki-files.ts: the per-cluster certificate set of the harness, written to a cluster's folder.
// Three separate CAs (serving, client, front-proxy), as the aggregation layer requires, plus a
// service-account signing key.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCA, issueCert, publicKeyPem, newRsaKeyPair, type KeyPair } from '../../core/pki.js';
import forge from 'node-forge';

/** ClusterPki is the set of certificates and keys of one harness cluster, with file paths. */
export interface ClusterPki {
  servingCA: KeyPair;
  clientCA: KeyPair;
  frontProxyCA: KeyPair;
  admin: KeyPair;
  files: {
    servingCert: string;
    servingKey: string;
    servingCA: string;
    clientCA: string;
    clientCAKey: string;
    frontProxyCA: string;
    frontProxyClientCert: string;
    frontProxyClientKey: string;
    saKey: string;
    saPub: string;
  };
}

/** FRONT_PROXY_CLIENT_NAME is the CN of the front-proxy client certificate and the allowed name. */
export const FRONT_PROXY_CLIENT_NAME = 'front-proxy-client';

/** writeClusterPki creates a cluster's CAs and certificates (serving extraIPs too) and writes them into dir. */
export function writeClusterPki(dir: string, clusterName: string, extraIPs: string[] = []): ClusterPki {
  const servingCA = createCA(`${clusterName}-serving-ca`);
  const clientCA = createCA(`${clusterName}-client-ca`);
  const frontProxyCA = createCA(`${clusterName}-front-proxy-ca`);
  const serving = issueCert(servingCA, {
    commonName: 'kube-apiserver',
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
    ipAddresses: ['127.0.0.1', '10.0.0.1', ...extraIPs],
    usage: 'server',
  });
  const frontProxyClient = issueCert(frontProxyCA, { commonName: FRONT_PROXY_CLIENT_NAME, usage: 'client' });
  const admin = issueCert(clientCA, {
    commonName: 'fedmesh-admin',
    organizations: ['system:masters'],
    usage: 'client',
  });
  const saKey = forge.pki.privateKeyToPem(newRsaKeyPair().privateKey);

  const f = (name: string, content: string): string => {
    const p = join(dir, name);
    writeFileSync(p, content, { mode: 0o600 });
    return p;
  };
  return {
    servingCA,
    clientCA,
    frontProxyCA,
    admin,
    files: {
      servingCert: f('serving.crt', serving.certPem),
      servingKey: f('serving.key', serving.keyPem),
      servingCA: f('serving-ca.crt', servingCA.certPem),
      clientCA: f('client-ca.crt', clientCA.certPem),
      clientCAKey: f('client-ca.key', clientCA.keyPem),
      frontProxyCA: f('front-proxy-ca.crt', frontProxyCA.certPem),
      frontProxyClientCert: f('front-proxy-client.crt', frontProxyClient.certPem),
      frontProxyClientKey: f('front-proxy-client.key', frontProxyClient.keyPem),
      saKey: f('sa.key', saKey),
      saPub: f('sa.pub', publicKeyPem(saKey)),
    },
  };
}
