// errors.ts: why a remote cluster cannot be synced, as a reason a user can act on (the RCC's
// Connected condition) and a message that names the server, the failed check or the missing
// permission. Messages never quote credentials or kubeconfig content.
import { X509Certificate } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import type { Permission, SyncErrorReason } from '../../../api/index.js';

export type { SyncErrorReason } from '../../../api/index.js';

/** ClassifiedError is what a user sees about a sync failure. */
export interface ClassifiedError {
  reason: SyncErrorReason;
  message: string;
  /** permission names the missing permission when reason is Forbidden. */
  permission?: Permission;
}

/** InvalidKubeconfigError reports a remote kubeconfig that cannot be used, naming what is wrong. */
export class InvalidKubeconfigError extends Error {
  override readonly name = 'InvalidKubeconfigError';
}

/** RemoteStatus is the part of a Kubernetes Status object used for messages. */
export interface RemoteStatus {
  code?: number;
  reason?: string;
  message?: string;
}

/** RemoteRequestError is a failed request to a remote kube-apiserver, with its context. */
export class RemoteRequestError extends Error {
  override readonly name = 'RemoteRequestError';
  constructor(
    readonly server: string,
    readonly verb: 'list' | 'watch',
    /** resource as RBAC names it: "pods", "endpointslices.discovery.k8s.io". */
    readonly resource: string,
    readonly status?: RemoteStatus,
    cause?: unknown,
  ) {
    super(requestMessage(server, verb, resource, status, cause), { cause });
  }
}

function requestMessage(s: string, verb: string, res: string, st?: RemoteStatus, cause?: unknown): string {
  if (st) return `${verb} ${res} on ${s}: ${st.code ?? '?'} ${st.message ?? st.reason ?? ''}`.trim();
  return `${verb} ${res} on ${s}: ${cause instanceof Error ? cause.message : String(cause)}`;
}

const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed (temporary DNS failure)',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'connection closed',
};

const TLS_HINT: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'is not signed by the CA in the kubeconfig',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'is not signed by the CA in the kubeconfig',
  UNABLE_TO_GET_ISSUER_CERT: 'is not signed by the CA in the kubeconfig',
  SELF_SIGNED_CERT_IN_CHAIN: 'is not signed by the CA in the kubeconfig',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'is self-signed and not trusted by the kubeconfig',
  CERT_SIGNATURE_FAILURE: 'has a signature that does not verify against the CA in the kubeconfig',
  CERT_HAS_EXPIRED: 'has expired',
  CERT_NOT_YET_VALID: 'is not valid yet (check clocks)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'does not name this host (set tls-server-name or fix server)',
};

const errCode = (e: unknown): string | undefined => {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : undefined;
};

/** rootCause follows Error.cause to the innermost error with a string code, if any. */
function rootCause(err: unknown): unknown {
  for (let e = err, i = 0; e && i < 8; e = (e as { cause?: unknown }).cause, i++) {
    if (errCode(e)) return e;
  }
  return err;
}

/** classifyError maps a sync failure to a reason and a message a user can act on. */
export function classifyError(err: unknown): ClassifiedError {
  if (err instanceof InvalidKubeconfigError) return { reason: 'InvalidKubeconfig', message: err.message };
  const req = err instanceof RemoteRequestError ? err : undefined;
  const server = req?.server ?? 'the server';
  const status = req?.status ?? apiExceptionStatus(err);
  if (status?.code !== undefined) return classifyStatus(status, req);
  const cause = rootCause(req?.cause ?? err);
  const code = errCode(cause);
  if (code && NETWORK[code])
    return { reason: 'Unreachable', message: `cannot reach ${server}: ${NETWORK[code]}` };
  if (code && TLS_HINT[code]) {
    const what = `the server certificate of ${server} ${TLS_HINT[code]} (${code})`;
    return { reason: 'CertificateMismatch', message: `${what}; check certificate-authority-data` };
  }
  const msg = cause instanceof Error ? cause.message : String(cause);
  return { reason: 'Unknown', message: req ? `${req.verb} ${req.resource} on ${server}: ${msg}` : msg };
}

function classifyStatus(st: RemoteStatus, req?: RemoteRequestError): ClassifiedError {
  // "pods is forbidden: User ..." → "User ...": the permission is named up front already.
  const detail = st.message ? ` (${st.message.replace(/^\S+ is forbidden: /, '')})` : '';
  if (st.code === 401) {
    return {
      reason: 'Unauthorized',
      message: `the credential was rejected by ${req?.server ?? 'the server'}${detail}`,
    };
  }
  if (st.code === 403) {
    const perm = req ? `${req.verb} ${req.resource} at the cluster scope` : 'unknown';
    const anon = st.message?.includes('"system:anonymous"')
      ? '; the request was anonymous, so the client certificate or token was not recognized'
      : '';
    const out: ClassifiedError = {
      reason: 'Forbidden',
      message: `missing permission: ${perm}${detail}${anon}`,
    };
    if (req) out.permission = permissionOf(req);
    return out;
  }
  const where = req ? `${req.verb} ${req.resource} on ${req.server}` : 'request';
  return { reason: 'Unknown', message: `${where} failed: HTTP ${st.code}${detail}` };
}

// resource is "pods" or "endpointslices.discovery.k8s.io", as RBAC names it.
function permissionOf(req: RemoteRequestError): Permission {
  const dot = req.resource.indexOf('.');
  return dot < 0
    ? { verb: req.verb, group: '', resource: req.resource }
    : { verb: req.verb, group: req.resource.slice(dot + 1), resource: req.resource.slice(0, dot) };
}

/** apiExceptionStatus reads the code and Status message of a client-node ApiException. */
function apiExceptionStatus(err: unknown): RemoteStatus | undefined {
  const e = err as { code?: unknown; body?: unknown } | null;
  if (typeof e?.code !== 'number') return undefined;
  let body = e.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      body = undefined;
    }
  }
  const message = (body as { message?: unknown } | undefined)?.message;
  return { code: e.code, message: typeof message === 'string' ? message : undefined };
}

/** loadRemoteKubeConfig parses and validates a remote cluster's kubeconfig or throws InvalidKubeconfigError. */
export function loadRemoteKubeConfig(kubeconfigYAML: string): KubeConfig {
  const kc = new KubeConfig();
  if (!kubeconfigYAML.trim()) throw new InvalidKubeconfigError('kubeconfig is empty');
  try {
    kc.loadFromString(kubeconfigYAML);
  } catch (err) {
    // Only the first line: YAML errors quote the offending source line, which may hold a secret.
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.replace(/:$/, '');
    throw new InvalidKubeconfigError(`kubeconfig cannot be parsed: ${first}`);
  }
  const problems = kubeconfigProblems(kc);
  if (problems.length) throw new InvalidKubeconfigError(`kubeconfig is invalid: ${problems.join('; ')}`);
  return kc;
}

function kubeconfigProblems(kc: KubeConfig): string[] {
  if (!kc.clusters.length && !kc.users.length && !kc.contexts.length) {
    return ['no clusters, users or contexts (is this a kubeconfig?)'];
  }
  const ctxName = kc.getCurrentContext();
  if (!ctxName) return ['current-context is not set'];
  const ctx = kc.getContextObject(ctxName);
  if (!ctx) return [`current-context "${ctxName}" names no context`];
  const cluster = kc.getCluster(ctx.cluster);
  const user = ctx.user ? kc.getUser(ctx.user) : null;
  return [
    ...(cluster
      ? clusterProblems(cluster)
      : [`context "${ctxName}" names cluster "${ctx.cluster}", which is not defined`]),
    ...(user ? userProblems(user) : [`context "${ctxName}" names no defined user ("${ctx.user ?? ''}")`]),
  ];
}

type KCCluster = NonNullable<ReturnType<KubeConfig['getCluster']>>;
type KCUser = NonNullable<ReturnType<KubeConfig['getUser']>>;

function clusterProblems(c: KCCluster): string[] {
  const out: string[] = [];
  let url: URL | undefined;
  try {
    url = new URL(c.server);
  } catch {
    out.push(`cluster "${c.name}" has no valid server URL`);
  }
  if (url && url.protocol !== 'https:' && !(url.protocol === 'http:' && c.skipTLSVerify)) {
    out.push(`cluster "${c.name}" server must be an https:// URL (got ${url.protocol}//)`);
  }
  if (c.caData) {
    try {
      new X509Certificate(Buffer.from(c.caData, 'base64'));
    } catch {
      out.push(`cluster "${c.name}" certificate-authority-data is not a base64 PEM certificate`);
    }
  }
  return out;
}

function userProblems(u: KCUser): string[] {
  const cert = Boolean(u.certData || u.certFile);
  const key = Boolean(u.keyData || u.keyFile);
  if (cert !== key)
    return [`user "${u.name}" has a client certificate without its key, or a key without its certificate`];
  const any = cert || Boolean(u.token || u.exec || u.authProvider || u.username);
  return any ? [] : [`user "${u.name}" has no credential (token, client certificate, exec or auth-provider)`];
}
