// credential.ts: the remote reader's credential: a ServiceAccount token from a TokenRequest, kept
// in the consumer's access Secret. A stored token that still works and has more than a fifth of
// its lifetime left is reused, so re-running connect changes nothing; --rotate-token always issues a new one.
// Tokens are never printed or logged.
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { tokenClaims } from '../../../api/index.js';
import { isNotFound, statusError, type Kube } from '../../kube/index.js';
import { endpointOf } from './clusters.js';
import { formatDuration } from '../../kube/duration.js';
import { NAMESPACE, readerName, secretName, tokenKubeconfig } from './objects.js';

/** RENEW_FRACTION: a stored token with less than this part of its lifetime left is renewed. */
export const RENEW_FRACTION = 0.2;

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
  const { expires: exp, issuedAt } = tokenClaims(token) ?? {};
  if (exp === undefined || issuedAt === undefined) return undefined;
  if (exp.getTime() - Date.now() < RENEW_FRACTION * (exp.getTime() - issuedAt.getTime())) return undefined;
  return {
    kubeconfig: raw,
    summary: `stored token kept, expires ${exp.toISOString()} (use --rotate-token to renew now)`,
  };
}

interface StoredConfig {
  clusters?: { cluster?: { server?: string } }[];
  users?: { user?: { token?: string } }[];
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
