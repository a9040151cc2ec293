// mesh.ts: what `kubectl mesh explain` reads: the endpoints of the mesh as this cluster sees them,
// and the policy model its nodes enforce, built the way fedmesh-node builds it: the cluster's
// MeshNetworkPolicies compiled by core/policy, and the members of the FederatedIPSets the
// server publishes. One model, one evaluation (core/policy/evaluate.ts).
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import {
  FEDERATED_ENDPOINTS,
  FEDERATED_HOST_ENDPOINTS,
  FEDERATED_IP_SET_SLICES,
  FEDERATED_IP_SETS,
  MESH_NETWORK_POLICIES,
  comparePolicies,
  type CompiledPolicy,
  type FederatedEndpoint,
  type FederatedHostEndpoint,
  type FederatedIPSet,
  type FederatedIPSetSlice,
  type MeshNetworkPolicy,
  type PolicyModel,
  type ResourceNames,
} from '../../../api/index.js';
import { canonicalIP, type Core } from '../../../core/index.js';
import { compilePolicy, type PolicyProblem } from '../../../core/policy/compile.js';
import { getLocalClusterName } from '../../kube/mesh.js';
import { isNotFound, statusError } from '../../kube/status.js';
import { CliError } from '../../cli/errors.js';

/** MeshPolicy is the policy model of the context's cluster and what did not compile. */
export interface MeshPolicy {
  cluster: string;
  model: PolicyModel;
  sets: Map<string, FederatedIPSet>;
  invalid: { key: string; problems: PolicyProblem[] }[];
}

async function list<T>(kc: KubeConfig, r: ResourceNames, query: Record<string, string> = {}): Promise<T[]> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const gvr = { group: r.group, version: r.version, plural: r.plural };
  try {
    const out = (
      r.namespaced
        ? await api.listCustomObjectForAllNamespaces({ ...gvr, ...query })
        : await api.listClusterCustomObject({ ...gvr, ...query })
    ) as { items?: T[] };
    return out.items ?? [];
  } catch (err) {
    if (isNotFound(err)) return [];
    throw statusError(err, `listing ${r.plural}.${r.group}`);
  }
}

/** loadPolicy reads and compiles the policy model of the context's cluster. */
export async function loadPolicy(kc: KubeConfig, core: Core): Promise<MeshPolicy> {
  const cluster = await getLocalClusterName(kc);
  if (cluster === undefined)
    throw new CliError(
      'ENOENT',
      'this cluster has no MeshConfiguration naming it in the mesh',
      undefined,
      'Run `kubectl mesh install --cluster-name NAME` first.',
    );
  const [policies, sets, slices] = await Promise.all([
    list<MeshNetworkPolicy>(kc, MESH_NETWORK_POLICIES),
    list<FederatedIPSet>(kc, FEDERATED_IP_SETS),
    list<FederatedIPSetSlice>(kc, FEDERATED_IP_SET_SLICES),
  ]);
  const compiled: CompiledPolicy[] = [];
  const invalid: MeshPolicy['invalid'] = [];
  for (const p of policies) {
    const r = compilePolicy(core, p, cluster);
    if ('problems' in r)
      invalid.push({ key: `${p.metadata.namespace}/${p.metadata.name}`, problems: r.problems });
    else compiled.push(r.policy);
  }
  compiled.sort(comparePolicies);
  const members = new Map<string, Set<string>>();
  for (const s of slices) {
    const m = members.get(s.ipSet) ?? new Set<string>();
    for (const ip of s.members) m.add(ip);
    members.set(s.ipSet, m);
  }
  return {
    cluster,
    model: { policies: compiled, sets: members },
    sets: new Map(sets.map((s) => [s.metadata.name, s])),
    invalid,
  };
}

/** Endpoint is one end of traffic: an endpoint of the mesh, or a bare address outside it. */
export interface Endpoint {
  kind: 'workload' | 'host' | 'address';
  ip: string;
  cluster?: string;
  namespace?: string;
  name?: string;
  labels: Record<string, string>;
}

const isIP = (s: string): boolean => canonicalIP(s) !== null;

/** resolveEndpoint finds what an argument names: an IP address, [fep/]CLUSTER.POD (in namespace),
 * or fhep/CLUSTER.NODE. */
export async function resolveEndpoint(kc: KubeConfig, arg: string, namespace: string): Promise<Endpoint> {
  if (isIP(arg)) return byAddress(kc, canonicalIP(arg)!);
  const [kind, name] = arg.includes('/') ? arg.split('/', 2) : ['fep', arg];
  if (kind === 'fhep' || kind === FEDERATED_HOST_ENDPOINTS.singular) {
    const h = (await list<FederatedHostEndpoint>(kc, FEDERATED_HOST_ENDPOINTS)).find(
      (x) => x.metadata.name === name,
    );
    if (!h)
      throw new CliError(
        'ENOENT',
        `federatedhostendpoint ${name} not found`,
        undefined,
        'List them: `kubectl get fhep`.',
      );
    return host(h);
  }
  if (kind !== 'fep' && kind !== FEDERATED_ENDPOINTS.singular)
    throw new CliError(
      'EUSAGE',
      `cannot explain ${arg}: give an IP address, CLUSTER.POD, fep/CLUSTER.POD or fhep/CLUSTER.NODE`,
    );
  const eps = await list<FederatedEndpoint>(kc, FEDERATED_ENDPOINTS, {
    fieldSelector: `metadata.namespace=${namespace},metadata.name=${name!}`,
  });
  if (eps.length === 0)
    throw new CliError(
      'ENOENT',
      `federatedendpoint ${name} not found in namespace ${namespace}`,
      undefined,
      `List them: \`kubectl get fep -n ${namespace}\` (names are CLUSTER.POD).`,
    );
  return workload(eps[0]!);
}

async function byAddress(kc: KubeConfig, ip: string): Promise<Endpoint> {
  const eps = await list<FederatedEndpoint>(kc, FEDERATED_ENDPOINTS, { fieldSelector: `spec.ip=${ip}` });
  const pod = eps.find((e) => !e.spec.hostNetwork);
  if (pod) return workload(pod);
  const h = (await list<FederatedHostEndpoint>(kc, FEDERATED_HOST_ENDPOINTS)).find((x) =>
    (x.spec.addresses ?? []).some((a) => a.address === ip),
  );
  if (h) return { ...host(h), ip };
  return { kind: 'address', ip, labels: {} };
}

const workload = (e: FederatedEndpoint): Endpoint => ({
  kind: 'workload',
  ip: e.spec.ips?.[0] ?? '',
  cluster: e.spec.cluster,
  namespace: e.metadata.namespace!,
  name: e.spec.pod,
  labels: e.metadata.labels ?? {},
});

const host = (h: FederatedHostEndpoint): Endpoint => ({
  kind: 'host',
  ip:
    (h.spec.addresses ?? []).find((a) => a.type === 'InternalIP')?.address ??
    h.spec.addresses?.[0]?.address ??
    '',
  cluster: h.spec.cluster,
  name: h.spec.node,
  labels: h.metadata.labels ?? {},
});
