// credential.ts: the remote reader's credential: a ServiceAccount token from a TokenRequest, kept
// in the consumer's access Secret. A stored token that still works and has more than RENEW_BEFORE
// left is reused, so re-running connect changes nothing; --rotate-token always issues a new one.
// Tokens are never printed or logged.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { isNotFound, statusError, type Kube } from '../../kube/index.js';
import { endpointOf } from './clusters.js';
import { formatDuration } from '../../kube/duration.js';
import { NAMESPACE, readerName, secretName, tokenKubeconfig } from './objects.js';

/** RENEW_BEFORE: a stored token with less than this left is renewed (30 days). */
export const RENEW_BEFORE_MS = 30 * 86_400_000;

/** Credential is a kubeconfig for the remote reader and a description of it for people. */
export interface Credential {
  kubeconfig: string;
  summary: string;
}

/** issueToken creates a token for the consumer's reader ServiceAccount in the remote cluster. */
export async function issueToken(
  remote: Kube,
  name: string,
  consumer: string,
  expirationMs: number,
): Promise<Credential> {
  const sa = readerName(consumer);
  try {
    const tr = await remote.kc.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
      name: sa,
      namespace: NAMESPACE,
      body: { spec: { audiences: [], expirationSeconds: Math.round(expirationMs / 1000) } },
    });
    const token = tr.status?.token;
    if (!token) throw new Error('the TokenRequest returned no token');
    const exp = tr.status?.expirationTimestamp ? new Date(tr.status.expirationTimestamp) : undefined;
    const until = exp
      ? `, expires ${exp.toISOString()} (in ${formatDuration(exp.getTime() - Date.now())})`
      : '';
    return {
      kubeconfig: tokenKubeconfig(name, endpointOf(remote.kc), token, sa),
      summary: `new token for ServiceAccount ${NAMESPACE}/${sa}${until}`,
    };
  } catch (err) {
    throw statusError(err, `requesting a token for ServiceAccount ${NAMESPACE}/${sa}`);
  }
}

/** storedCredential returns the consumer's stored credential for name if it targets server and has time left. */
export async function storedCredential(
  consumer: Kube,
  name: string,
  server: string,
): Promise<Credential | undefined> {
  let raw: string;
  try {
    const s = await consumer.kc
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ name: secretName(name), namespace: NAMESPACE });
    if (!s.data?.kubeconfig) return undefined;
    raw = Buffer.from(s.data.kubeconfig, 'base64').toString('utf8');
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw statusError(err, `reading Secret ${NAMESPACE}/${secretName(name)}`);
  }
  const cfg = parse(raw) as StoredConfig | null;
  const token = cfg?.users?.[0]?.user?.token;
  if (cfg?.clusters?.[0]?.cluster?.server !== server || !token) return undefined;
  const exp = tokenExpiry(token);
  if (exp === undefined || exp.getTime() - Date.now() < RENEW_BEFORE_MS) return undefined;
  return {
    kubeconfig: raw,
    summary: `stored token kept, expires ${exp.toISOString()} (use --rotate-token to renew now)`,
  };
}

interface StoredConfig {
  clusters?: { cluster?: { server?: string } }[];
  users?: { user?: { token?: string } }[];
}

/** tokenExpiry reads the exp claim of a JWT (without verifying it: the API server does that). */
export function tokenExpiry(token: string): Date | undefined {
  try {
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
      exp?: number;
    };
    return typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}

/** reachable lists pods of the remote cluster with the credential; it returns the failure, if any. */
export async function reachable(kubeconfig: string): Promise<string | undefined> {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  try {
    await kc.makeApiClient(CoreV1Api).listPodForAllNamespaces({ limit: 1 });
    return undefined;
  } catch (err) {
    return statusError(err).message;
  }
}
