// checks.ts: diagnose's cluster-wide checks: the APIService, RBAC, certificate expiry, pod CIDR
// overlaps and clock skew. Each returns results; none throws for a finding, only for I/O failures.
import { AuthorizationV1Api, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1APIService } from '@kubernetes/client-node';
import { MESH, condition, isNotFound, request, statusError } from '../../kube/index.js';
import { RENEW_BEFORE_DAYS, daysLeft } from '../install/certs.js';
import { readServingSecret } from '../install/objects.js';
import { overlaps } from './cidr.js';
import { fail, ok, warn, type Result } from './result.js';

const INSTALL = 'kubectl mesh install';

/** apiServiceCheck: the APIService exists and is Available. */
export function apiServiceCheck(svc: V1APIService | undefined): Result {
  if (!svc) return fail(`APIService ${MESH.apiService} does not exist`, INSTALL);
  const c = condition(svc.status?.conditions, 'Available');
  if (c?.status === 'True') return ok(`APIService ${MESH.apiService} is Available`);
  const why = c ? `(${c.reason ?? 'Unknown'}): ${c.message ?? ''}` : 'has no Available condition yet';
  return fail(
    `APIService ${MESH.apiService} is not Available ${why}`,
    `${INSTALL}   (then: kubectl describe apiservice ${MESH.apiService})`,
  );
}

/** canListCheck: the current user may list federatedendpoints in all namespaces. */
export async function canListCheck(kc: KubeConfig): Promise<Result> {
  const r = await kc.makeApiClient(AuthorizationV1Api).createSelfSubjectAccessReview({
    body: {
      spec: { resourceAttributes: { group: 'federated.mesh', resource: 'federatedendpoints', verb: 'list' } },
    },
  });
  if (r.status?.allowed) return ok('you can list federatedendpoints in all namespaces');
  const user = kc.getCurrentUser()?.name ?? 'USER';
  return warn(
    `you cannot list federatedendpoints in all namespaces${r.status?.reason ? ` (${r.status.reason})` : ''}`,
    `kubectl create clusterrolebinding fedmesh-view-${user} --clusterrole=view --user=<your user>   (view includes fedmesh-view)`,
  );
}

/** bindingChecks: the fedmesh-apiserver ServiceAccount's bindings exist (in-cluster install only). */
export async function bindingChecks(kc: KubeConfig): Promise<Result[]> {
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const wanted: [string, () => Promise<unknown>][] = [
    [
      'clusterrolebinding/fedmesh-apiserver:system:auth-delegator',
      () => rbac.readClusterRoleBinding({ name: 'fedmesh-apiserver:system:auth-delegator' }),
    ],
    [
      'rolebinding/fedmesh-apiserver-auth-reader -n kube-system',
      () =>
        rbac.readNamespacedRoleBinding({ name: 'fedmesh-apiserver-auth-reader', namespace: 'kube-system' }),
    ],
    [
      'clusterrolebinding/fedmesh-apiserver',
      () => rbac.readClusterRoleBinding({ name: 'fedmesh-apiserver' }),
    ],
  ];
  const out: Result[] = [];
  for (const [what, read] of wanted) {
    try {
      await read();
      out.push(ok(`${what} (fedmesh-apiserver ServiceAccount) exists`));
    } catch (err) {
      if (!isNotFound(err)) throw statusError(err, `reading ${what}`);
      out.push(fail(`${what} (fedmesh-apiserver ServiceAccount) is missing`, INSTALL));
    }
  }
  return out;
}

/** certChecks: expiry of the APIService caBundle and (in-cluster) of the serving certificate. */
export async function certChecks(
  kc: KubeConfig,
  svc: V1APIService | undefined,
  local: boolean,
): Promise<Result[]> {
  const out: Result[] = [];
  const fix = local
    ? 'restart the local fedmesh-apiserver with a new certificate, then kubectl mesh install --local-...'
    : `${INSTALL} --rotate-certs`;
  if (svc?.spec?.caBundle)
    out.push(expiry(`APIService caBundle`, Buffer.from(svc.spec.caBundle, 'base64').toString(), fix));
  if (!local) {
    const crt = (await readServingSecret(kc))?.data?.['tls.crt'];
    if (crt)
      out.push(
        expiry(
          `serving certificate in secret/${MESH.servingSecret}`,
          Buffer.from(crt, 'base64').toString(),
          fix,
        ),
      );
    else
      out.push(fail(`secret/${MESH.servingSecret} -n ${MESH.namespace} has no serving certificate`, INSTALL));
  }
  return out;
}

function expiry(what: string, pem: string, fix: string): Result {
  let days: number;
  try {
    days = daysLeft(pem);
  } catch {
    return fail(`${what} is not a PEM certificate`, fix);
  }
  if (days < 0) return fail(`${what} has expired`, fix);
  if (days < RENEW_BEFORE_DAYS) return warn(`${what} expires in ${days} days`, fix);
  return ok(`${what} is valid for ${days} more days`);
}

/** podCIDRCheck: no two clusters' node pod CIDRs overlap (from FederatedHostEndpoints). */
export async function podCIDRCheck(kc: KubeConfig): Promise<Result> {
  const r = await request(kc, 'GET', '/apis/federated.mesh/v1alpha1/federatedhostendpoints');
  const items = (r.body as { items?: { spec?: { cluster?: string; podCIDRs?: string[] } }[] }).items ?? [];
  const byCluster = new Map<string, string[]>();
  for (const h of items) {
    const c = h.spec?.cluster ?? '?';
    byCluster.set(c, [...(byCluster.get(c) ?? []), ...(h.spec?.podCIDRs ?? [])]);
  }
  const found = overlaps(byCluster);
  if (found.length === 0) return ok(`pod CIDRs of ${byCluster.size} cluster(s) do not overlap`);
  const sample = found.slice(0, 3).map((o) => `${o.a.cluster} ${o.a.cidr} and ${o.b.cluster} ${o.b.cidr}`);
  return fail(
    `pod CIDRs overlap: ${sample.join('; ')}${found.length > 3 ? ` (+${found.length - 3} more)` : ''}`,
    're-address one of the clusters (pod CIDRs must be unique across the mesh), or disconnect it: kubectl mesh disconnect NAME',
  );
}

/** clockCheck: this machine's clock against the API server's Date header (warn above 5 s). */
export async function clockCheck(kc: KubeConfig, now: () => number = Date.now): Promise<Result> {
  const t0 = now();
  const r = await request(kc, 'GET', '/version');
  const t1 = now();
  const date = Date.parse(String(r.headers.date ?? ''));
  if (Number.isNaN(date)) return warn('the API server sent no Date header; clock skew not checked');
  // Date has 1 s resolution: compare with the middle of the request, allow the rounding.
  const skew = Math.abs((t0 + t1) / 2 - (date + 500)) / 1000;
  if (skew > 5)
    return warn(
      `clock skew with the API server is ${skew.toFixed(1)}s (over 5s)`,
      "sync this machine's clock (NTP, e.g. timedatectl set-ntp true); certificates and tokens depend on it",
    );
  return ok(`clock skew with the API server is under 5s`);
}

/** isLocalMode: the APIService points at an ExternalName Service (a server on this machine). */
export async function isLocalMode(kc: KubeConfig, svc: V1APIService | undefined): Promise<boolean> {
  const ref = svc?.spec?.service;
  if (!ref?.name || !ref.namespace) return false;
  try {
    const s = await kc
      .makeApiClient(CoreV1Api)
      .readNamespacedService({ name: ref.name, namespace: ref.namespace });
    return s.spec?.type === 'ExternalName';
  } catch (err) {
    if (isNotFound(err)) return false;
    throw statusError(err, `reading service/${ref.name}`);
  }
}
