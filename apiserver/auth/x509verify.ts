// x509verify.ts: verifies a TLS client's certificate chain against one explicit set of trust
// anchors, as Go's x509.Verify does for Kubernetes client certificates: signatures, issuer
// names, validity dates, CA flags of intermediates and the clientAuth extended key usage.
import { X509Certificate, createHash } from 'node:crypto';

const EKU_CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const EKU_ANY = '2.5.29.37.0';
const MAX_CHAIN_DEPTH = 8;

/** ChainResult is the outcome of verifyClientChain: the leaf, or why the chain is rejected. */
export type ChainResult = { ok: true; leaf: X509Certificate } | { ok: false; reason: string };

/** Subject is the part of a certificate subject Kubernetes reads. */
export interface Subject {
  commonName: string;
  organizations: string[];
}

function validAt(c: X509Certificate, now: number): boolean {
  return new Date(c.validFrom).getTime() <= now && now <= new Date(c.validTo).getTime();
}

/** allowsClientAuth: no EKU extension means any usage (as in Go); otherwise clientAuth or any. */
function allowsClientAuth(c: X509Certificate): boolean {
  const eku = c.keyUsage as string[] | undefined;
  return !eku || eku.length === 0 || eku.includes(EKU_CLIENT_AUTH) || eku.includes(EKU_ANY);
}

function signedBy(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

function parseChain(chainDer: Buffer[]): X509Certificate[] | undefined {
  try {
    return chainDer.map((d) => new X509Certificate(d));
  } catch {
    return undefined;
  }
}

/** verifyClientChain checks chainDer (leaf first, then untrusted intermediates) against roots. */
export function verifyClientChain(
  chainDer: Buffer[],
  roots: X509Certificate[],
  now = Date.now(),
): ChainResult {
  if (chainDer.length === 0) return { ok: false, reason: 'no client certificate' };
  if (roots.length === 0) return { ok: false, reason: 'no trusted certificate authorities configured' };
  const chain = parseChain(chainDer);
  if (!chain) return { ok: false, reason: 'malformed client certificate' };
  const leaf = chain[0]!;
  const intermediates = chain.slice(1).filter((c) => c.ca);
  let current = leaf;
  for (let depth = 0; depth < MAX_CHAIN_DEPTH; depth++) {
    if (!validAt(current, now))
      return { ok: false, reason: `certificate ${current.subject} has expired or is not yet valid` };
    if (!allowsClientAuth(current))
      return { ok: false, reason: 'certificate specifies an incompatible key usage' };
    const root = roots.find((r) => r.ca && signedBy(current, r));
    if (root) {
      if (!validAt(root, now))
        return { ok: false, reason: 'certificate authority has expired or is not yet valid' };
      if (!allowsClientAuth(root))
        return { ok: false, reason: 'certificate authority forbids client authentication' };
      return { ok: true, leaf };
    }
    const next = intermediates.find((c) => c !== current && signedBy(current, c));
    if (!next) return { ok: false, reason: 'certificate signed by unknown authority' };
    current = next;
  }
  return { ok: false, reason: 'certificate chain too long' };
}

const asList = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** subjectOf returns the common name and organizations of a certificate. */
export function subjectOf(c: X509Certificate): Subject {
  // toLegacyObject decodes values (no escaping) and gives repeated attributes as arrays.
  const s = (c.toLegacyObject().subject ?? {}) as unknown as Record<string, string | string[] | undefined>;
  return { commonName: asList(s.CN)[0] ?? '', organizations: asList(s.O) };
}

/** credentialId is upstream's X509SHA256=<hex> credential id of a certificate. */
export function credentialId(c: X509Certificate): string {
  return `X509SHA256=${createHash('sha256').update(c.raw).digest('hex')}`;
}
