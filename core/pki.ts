// pki.ts: certificate authorities and certificates for fedmesh (serving, client, front-proxy),
// made with node-forge. Used by the control-plane harness, `kubectl mesh install` and the
// aggregated API server's self-signed fallback.
import forge from 'node-forge';
import { randomBytes } from 'node:crypto';

/** KeyPair is a PEM-encoded certificate and its private key. */
export interface KeyPair {
  certPem: string;
  keyPem: string;
}

/** CertRequest describes a leaf certificate to issue. */
export interface CertRequest {
  commonName: string;
  /** Organizations; Kubernetes reads them as the user's groups in client certificates. */
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usage: 'server' | 'client' | 'server-client';
  validDays?: number;
}

const DEFAULT_VALID_DAYS = 365;
const CLOCK_SKEW_MS = 5 * 60 * 1000;

function newSerial(): string {
  // Positive 128-bit serial: clear the top bit so DER does not read it as negative.
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - CLOCK_SKEW_MS);
  cert.validity.notAfter = new Date(now + days * 24 * 3600 * 1000);
}

/** newRsaKeyPair generates a 2048-bit RSA key (node-forge uses Node's native generator). */
export function newRsaKeyPair(): forge.pki.rsa.KeyPair {
  return forge.pki.rsa.generateKeyPair({ bits: 2048 });
}

/** createCA makes a self-signed certificate authority. */
export function createCA(commonName: string, validDays = DEFAULT_VALID_DAYS * 10): KeyPair {
  const keys = newRsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = newSerial();
  validity(cert, validDays);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** issueCert signs a leaf certificate for req with the given CA. */
export function issueCert(ca: KeyPair, req: CertRequest): KeyPair {
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const keys = newRsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = newSerial();
  validity(cert, req.validDays ?? DEFAULT_VALID_DAYS);
  const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: req.commonName }];
  for (const o of req.organizations ?? []) subject.push({ name: 'organizationName', value: o });
  cert.setSubject(subject);
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [
    ...(req.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(req.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    {
      name: 'extKeyUsage',
      serverAuth: req.usage !== 'client',
      clientAuth: req.usage !== 'server',
    },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ];
  if (altNames.length > 0) extensions.push({ name: 'subjectAltName', altNames });
  cert.setExtensions(extensions);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** publicKeyPem returns the PEM public key of a PEM private key. */
export function publicKeyPem(keyPem: string): string {
  const key = forge.pki.privateKeyFromPem(keyPem);
  return forge.pki.publicKeyToPem(forge.pki.setRsaPublicKey(key.n, key.e));
}
