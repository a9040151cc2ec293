// preflight.ts: the checks connect runs before it changes anything: the remote cluster's name is
// unique in the consumer's mesh, fedmesh is installed in the consumer, and pod and service CIDRs
// do not overlap. Each check says what it found and, when it fails, the command that fixes it.
import { dnsLabelProblem } from '../../../api/index.js';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { isNotFound, statusError, type Kube } from '../../kube/index.js';
import { findOverlaps } from '../../kube/cidr.js';
import { fedmeshProblem, podCIDRs, serviceCIDRs } from './clusters.js';
import { RCC_API } from './objects.js';

/** CheckResult is one preflight line. */
export interface CheckResult {
  ok: boolean;
  message: string;
  fix?: string;
}

/** Pair is one direction of a connection: consumer pulls from remote, which it calls name. */
export interface Pair {
  consumer: Kube;
  consumerName: string;
  remote: Kube;
  name: string;
}

/** nameCheck: a DNS label, not the consumer's own name, not an RCC for another API server. */
export async function nameCheck(p: Pair): Promise<CheckResult> {
  const fix = `choose another name with --name`;
  const problem = dnsLabelProblem(p.name);
  if (problem) return { ok: false, message: `cluster name "${p.name}" ${problem}`, fix };
  if (p.name === p.consumerName)
    return { ok: false, message: `cluster name "${p.name}" is ${p.consumer.context}'s own name`, fix };
  for (const [rcc, server] of await rccServers(p.consumer.kc)) {
    if (rcc === p.name && server !== undefined && server !== p.remote.server)
      return { ok: false, message: `RemoteClusterConfiguration ${rcc} already points at ${server}`, fix };
    if (rcc !== p.name && server === p.remote.server)
      return {
        ok: false,
        message: `${p.remote.server} is already connected as RemoteClusterConfiguration ${rcc}`,
        fix: `kubectl mesh disconnect ${rcc} --context ${p.consumer.context}, or connect with --name ${rcc}`,
      };
  }
  return { ok: true, message: `cluster name "${p.name}" is unique in ${p.consumer.context}'s mesh` };
}

// rccServers maps each RCC of the consumer to the API server its Secret's kubeconfig names.
async function rccServers(kc: KubeConfig): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  let list: { items: { metadata: { name: string }; spec?: { clusterAccessSecret?: Ref } }[] };
  try {
    list = (await kc.makeApiClient(CustomObjectsApi).listClusterCustomObject(RCC_API)) as typeof list;
  } catch (err) {
    if (isNotFound(err)) return out;
    throw statusError(err, 'listing RemoteClusterConfigurations');
  }
  for (const rcc of list.items)
    out.set(rcc.metadata.name, await secretServer(kc, rcc.spec?.clusterAccessSecret));
  return out;
}

interface Ref {
  name?: string;
  namespace?: string;
}

async function secretServer(kc: KubeConfig, ref: Ref | undefined): Promise<string | undefined> {
  if (!ref?.name || !ref.namespace) return undefined;
  try {
    const s = await kc
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ name: ref.name, namespace: ref.namespace });
    const raw = s.data?.kubeconfig ? Buffer.from(s.data.kubeconfig, 'base64').toString('utf8') : '';
    const cfg = parse(raw) as { clusters?: { cluster?: { server?: string } }[] } | null;
    return cfg?.clusters?.[0]?.cluster?.server;
  } catch {
    return undefined; // unreadable or missing: nothing to compare with
  }
}

/** installedCheck: fedmesh (CRDs and an Available APIService) is installed in the consumer. */
export async function installedCheck(p: Pair): Promise<CheckResult> {
  const problem = await fedmeshProblem(p.consumer.kc);
  if (problem)
    return {
      ok: false,
      message: `fedmesh is not installed in ${p.consumer.context}: ${problem}`,
      fix: `run: kubectl mesh install --context ${p.consumer.context}`,
    };
  return { ok: true, message: `fedmesh is installed in ${p.consumer.context} (APIService Available)` };
}

/** cidrCheck: the remote's pod CIDRs overlap neither the consumer's pod and service CIDRs nor the other way round. */
export async function cidrCheck(p: Pair): Promise<CheckResult[]> {
  const [podA, podB, svcA, svcB] = await Promise.all([
    podCIDRs(p.consumer.kc),
    podCIDRs(p.remote.kc),
    serviceCIDRs(p.consumer.kc),
    serviceCIDRs(p.remote.kc),
  ]);
  const a = p.consumer.context;
  const b = p.remote.context;
  const pods = findOverlaps(podA, podB);
  const cross = [...findOverlaps(podA, svcB.cidrs), ...findOverlaps(svcA.cidrs, podB)];
  const list = (xs: string[]): string => xs.join(',') || 'none';
  const fix =
    'give each cluster its own pod CIDR (--cluster-cidr of kube-controller-manager) before connecting';
  const out: CheckResult[] = [];
  if (pods.length > 0)
    out.push({
      ok: false,
      message: `pod CIDRs overlap: ${pods.map((o) => `${a} ${o.a} and ${b} ${o.b}`).join('; ')}; pod IPs must be unique across the mesh`,
      fix,
    });
  else out.push({ ok: true, message: `pod CIDRs do not overlap (${a}: ${list(podA)}; ${b}: ${list(podB)})` });
  if (cross.length > 0)
    out.push({
      ok: false,
      message: `a pod CIDR overlaps the other cluster's service CIDR: ${cross.map((o) => `${o.a} and ${o.b}`).join('; ')}`,
      fix,
    });
  else out.push({ ok: true, message: serviceMessage(a, b, svcA, svcB) });
  return out;
}

function serviceMessage(a: string, b: string, svcA: Svc, svcB: Svc): string {
  const show = (s: Svc): string =>
    (s.cidrs.join(',') || 'unknown') + (s.hint ? ' (kubernetes Service IP)' : '');
  const shared = findOverlaps(svcA.cidrs, svcB.cidrs).length > 0;
  return (
    `no pod CIDR overlaps a service CIDR (${a}: ${show(svcA)}; ${b}: ${show(svcB)})` +
    (shared ? '; the service CIDRs overlap each other, which is fine: the mesh routes pod IPs' : '')
  );
}

type Svc = { cidrs: string[]; hint: boolean };
