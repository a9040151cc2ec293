// certs.ts: the serving certificate of fedmesh-apiserver: kept while it is valid, made anew when
// it is missing, broken, close to expiry or --rotate-certs asks for it.
import forge from 'node-forge';
import type { V1Secret } from '@kubernetes/client-node';
import { createCA, issueCert } from '../../../core/pki.js';
import { MESH } from '../../kube/index.js';

/** SERVING_DNS_NAMES are the names the aggregator may dial; it verifies the first (<svc>.<ns>.svc). */
export const SERVING_DNS_NAMES = [
  `${MESH.service}.${MESH.namespace}.svc`,
  `${MESH.service}.${MESH.namespace}.svc.cluster.local`,
  `${MESH.service}.${MESH.namespace}`,
  MESH.service,
];

/** RENEW_BEFORE_DAYS: a certificate expiring sooner than this is renewed by install and flagged by diagnose. */
export const RENEW_BEFORE_DAYS = 30;

/** Serving is the CA and serving key pair install puts in the Secret and the APIService. */
export interface Serving {
  caPem: string;
  certPem: string;
  keyPem: string;
  reused: boolean;
}

/** notAfter returns the expiry of the first certificate in pem. */
export function notAfter(pem: string): Date {
  return forge.pki.certificateFromPem(pem).validity.notAfter;
}

/** daysLeft returns the whole days until expiry of the first certificate in pem. */
export function daysLeft(pem: string, now = Date.now()): number {
  return Math.floor((notAfter(pem).getTime() - now) / 86_400_000);
}

/** servingFrom reuses the Secret's key pair when it is valid (unless rotate), else issues a new one. */
export function servingFrom(secret: V1Secret | undefined, rotate: boolean): Serving {
  const d = secret?.data ?? {};
  const pems = ['ca.crt', 'tls.crt', 'tls.key'].map((k) => Buffer.from(d[k] ?? '', 'base64').toString());
  const [caPem, certPem, keyPem] = pems as [string, string, string];
  if (!rotate && isValid(caPem, certPem, keyPem)) return { caPem, certPem, keyPem, reused: true };
  const ca = createCA('fedmesh-apiserver-ca');
  const leaf = issueCert(ca, {
    commonName: SERVING_DNS_NAMES[0]!,
    dnsNames: SERVING_DNS_NAMES,
    usage: 'server',
  });
  return { caPem: ca.certPem, certPem: leaf.certPem, keyPem: leaf.keyPem, reused: false };
}

// isValid: the CA signed the certificate, the key matches it, it names the service, and it lasts.
function isValid(caPem: string, certPem: string, keyPem: string): boolean {
  try {
    const ca = forge.pki.certificateFromPem(caPem);
    const cert = forge.pki.certificateFromPem(certPem);
    const key = forge.pki.privateKeyFromPem(keyPem);
    const pub = cert.publicKey as forge.pki.rsa.PublicKey;
    const alt = cert.getExtension('subjectAltName') as { altNames?: { value?: string }[] } | null;
    return (
      ca.verify(cert) &&
      key.n.equals(pub.n) &&
      (alt?.altNames ?? []).some((n) => n.value === SERVING_DNS_NAMES[0]) &&
      daysLeft(certPem) >= RENEW_BEFORE_DAYS &&
      daysLeft(caPem) >= RENEW_BEFORE_DAYS
    );
  } catch {
    return false;
  }
}

/** servingSecret is the kubernetes.io/tls Secret the Deployment mounts. */
export function servingSecret(s: Serving): Record<string, unknown> & { kind: string; apiVersion: string } {
  const b64 = (x: string): string => Buffer.from(x).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: MESH.servingSecret,
      namespace: MESH.namespace,
      labels: { 'app.kubernetes.io/name': 'fedmesh-apiserver', 'app.kubernetes.io/part-of': 'fedmesh' },
    },
    type: 'kubernetes.io/tls',
    data: { 'ca.crt': b64(s.caPem), 'tls.crt': b64(s.certPem), 'tls.key': b64(s.keyPem) },
  };
}
