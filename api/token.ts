// token.ts: what fedmesh reads from a ServiceAccount token (a JWT) without verifying it (the API
// server that issued it does that): when it was issued and expires, and whose it is.

/** TokenClaims are the claims of a ServiceAccount token fedmesh uses. */
export interface TokenClaims {
  issuedAt?: Date;
  expires?: Date;
  /** The ServiceAccount the token belongs to, from the kubernetes.io claim. */
  serviceAccount?: { namespace: string; name: string };
}

interface RawClaims {
  iat?: unknown;
  exp?: unknown;
  'kubernetes.io'?: { namespace?: unknown; serviceaccount?: { name?: unknown } };
}

const date = (s: unknown): Date | undefined => (typeof s === 'number' ? new Date(s * 1000) : undefined);

/** tokenClaims decodes a JWT's payload; undefined when token is not a JWT. */
export function tokenClaims(token: string): TokenClaims | undefined {
  let raw: RawClaims;
  try {
    raw = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as RawClaims;
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const out: TokenClaims = {};
  const issuedAt = date(raw.iat);
  const expires = date(raw.exp);
  if (issuedAt) out.issuedAt = issuedAt;
  if (expires) out.expires = expires;
  const k = raw['kubernetes.io'];
  const name = k?.serviceaccount?.name;
  if (typeof k?.namespace === 'string' && typeof name === 'string')
    out.serviceAccount = { namespace: k.namespace, name };
  return out;
}

/** CREDENTIAL_ROTATED_ANNOTATION records on an access Secret when fedmesh last renewed its token. */
export const CREDENTIAL_ROTATED_ANNOTATION = 'federated.mesh/credential-rotated-at';
