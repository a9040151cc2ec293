// crd-reference.ts: the reference of `npm run bench -- crd`: kube-apiserver serving the
// FederatedEndpoints fedmesh serves as a custom resource, loaded with the same objects. The first
// is created through its API (a POST, then a PATCH to drop the managedFields it records); the rest
// are written straight into its etcd as kube-apiserver stores a custom resource it created (JSON
// with a uid, a creationTimestamp and generation 1, no resourceVersion: etcd's revision is that),
// in transactions of 128 puts, and read by kube-apiserver through its watch of etcd, as it reads
// any write: 128 objects per request instead of two requests per object. The object
// stored through etcd must have the shape of the one created through the API, so both servers
// still serve the same bytes but for uid, times and versions.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:https';
import { GROUP_VERSION, type KObject } from '../apiserver/types.js';
import type { Cluster } from '../test/harness/cluster.js';
import { startControlPlane, type ControlPlane } from '../test/harness/controlplane.js';
import type { LocalFedmesh } from '../test/harness/fedmesh.js';
import { applyObjects, kubectlOk } from '../test/harness/kubectl.js';

export const PLURAL = 'federatedendpoints';
export const PATH = `/apis/${GROUP_VERSION}/${PLURAL}`;
export const NAMESPACES = 50; // as syntheticPod spreads them

// The custom resource kube-apiserver serves: FederatedEndpoint's columns, fields kept as sent.
const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${PLURAL}.federated.mesh` },
  spec: {
    group: 'federated.mesh',
    scope: 'Namespaced',
    names: { plural: PLURAL, singular: 'federatedendpoint', kind: 'FederatedEndpoint', shortNames: ['fep'] },
    versions: [
      {
        name: 'v1alpha1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        additionalPrinterColumns: [
          ['Cluster', '.spec.cluster'],
          ['IPs', '.spec.ips'],
          ['Node', '.spec.node'],
          ['Age', '.metadata.creationTimestamp', 'date'],
          ['Service Account', '.spec.serviceAccount', 'string', 1],
          ['Ports', '.spec.ports[*].port', 'string', 1],
          ['Ready', '.status.ready', 'boolean', 1],
          ['Stale', '.status.stale', 'boolean', 1],
        ].map(([name, jsonPath, type = 'string', priority = 0]) => ({ name, jsonPath, type, priority })),
      },
    ],
  },
};

export function call(
  c: Cluster,
  method: string,
  path: string,
  body: unknown,
  type = 'application/json',
): Promise<number> {
  return new Promise((resolve, reject) => {
    const agent = agents.get(c) ?? new Agent({ keepAlive: true, maxSockets: 64 });
    agents.set(c, agent);
    const req = request(
      `${c.url}${path}`,
      {
        method,
        agent,
        ca: c.pki.servingCA.certPem,
        cert: c.pki.admin.certPem,
        key: c.pki.admin.keyPem,
        headers: { 'Content-Type': type },
      },
      (res) => res.resume().on('end', () => resolve(res.statusCode ?? 0)),
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
const agents = new Map<Cluster, Agent>();

// callRetrying is call, retried (up to 10 times, waiting longer each time) while kube-apiserver
// answers 429 or 503: an overloaded server sheds load that way (a server reading a million new
// objects from etcd can be).
async function callRetrying(...args: Parameters<typeof call>): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const code = await call(...args);
    if ((code !== 429 && code !== 503) || attempt === 10) return code;
    await new Promise((r) => setTimeout(r, 100 * attempt));
  }
}

// createThroughApi creates in kube-apiserver the endpoint fedmesh serves for pod i, as fedmesh
// serves it but for what the server sets, then strips the managedFields it records.
async function createThroughApi(fm: LocalFedmesh, ref: Cluster, i: number): Promise<void> {
  const ns = `ns-${i % NAMESPACES}`;
  const obj = fm.mesh.endpoints.get(`${ns}/b.pod-${i}`)!.obj;
  const { resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, ...metadata } = obj.metadata;
  const path = `${PATH.replace(PLURAL, `namespaces/${ns}/${PLURAL}`)}`;
  const made = await callRetrying(ref, 'POST', path, { ...obj, metadata });
  if (made !== 201 && made !== 409)
    throw new Error(`creating ${obj.metadata.name} in the reference: HTTP ${made}`);
  const strip = { metadata: { managedFields: [{}] } };
  const patched = await callRetrying(
    ref,
    'PATCH',
    `${path}/${obj.metadata.name}`,
    strip,
    'application/merge-patch+json',
  );
  if (patched !== 200) throw new Error(`stripping managedFields of ${obj.metadata.name}: HTTP ${patched}`);
}

// copyToReference gives kube-apiserver the endpoints fedmesh serves for pods [from, to): the
// first one of all through its API, the others straight into its etcd (crd-etcd.ts), and waits
// until it serves them all. Then the two ways must have stored objects of the same shape.
export async function copyToReference(
  fm: LocalFedmesh,
  ref: Cluster,
  etcdUrl: string,
  from: number,
  to: number,
): Promise<void> {
  if (from === 0) await createThroughApi(fm, ref, 0);
  const first = Math.max(from, 1);
  const created = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await putAll(etcdUrl, to - first, (k) => {
    const i = first + k;
    const ns = `ns-${i % NAMESPACES}`;
    const obj = fm.mesh.endpoints.get(`${ns}/b.pod-${i}`)!.peek();
    const key = etcdKey(ref.name, 'federated.mesh', PLURAL, ns, obj.metadata.name);
    return [key, JSON.stringify(asStored(obj, created))];
  });
  await waitServed(ref, to);
  if (from > 0) return;
  const get = async (i: number): Promise<string[]> =>
    shape(
      JSON.parse(
        await kubectlOk(ref.kubeconfig, [
          'get',
          '--raw',
          `${PATH.replace(PLURAL, `namespaces/ns-${i % NAMESPACES}/${PLURAL}`)}/b.pod-${i}`,
        ]),
      ),
    );
  const [api, etcd] = [await get(0), await get(1)];
  if (api.join() !== etcd.join())
    throw new Error(
      `objects stored through etcd differ from one created through the API:\n${api.join(' ')}\n${etcd.join(' ')}`,
    );
}

// waitServed waits until the reference lists n endpoints (it reads etcd's writes through its watch).
async function waitServed(ref: Cluster, n: number): Promise<void> {
  const STALL_MS = 5 * 60_000; // no progress for this long: give up, saying how far it got
  for (let last = -1, since = Date.now(); ;) {
    const list = JSON.parse(await kubectlOk(ref.kubeconfig, ['get', '--raw', `${PATH}?limit=1`])) as {
      items: unknown[];
      metadata: { remainingItemCount?: number };
    };
    const have = list.items.length + (list.metadata.remainingItemCount ?? 0);
    if (have === n) return;
    if (have !== last) {
      console.error(`kube-apiserver serves ${have}/${n} endpoints`);
      [last, since] = [have, Date.now()];
    } else if (Date.now() - since > STALL_MS)
      throw new Error(`kube-apiserver stopped at ${have} of the ${n} endpoints written into its etcd`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** startMeshAndReference starts the control planes of fedmesh's cluster ("mesh") and of the
 * reference ("ref"). A million endpoints take more than etcd's default 2 GiB quota, and one list
 * of them longer than kube-apiserver's default request timeout of 60 s (users list in pages,
 * kubectl 500 at a time): both are raised so each server's whole list can be timed. */
export function startMeshAndReference(): Promise<ControlPlane> {
  return startControlPlane({
    clusters: ['mesh', 'ref'],
    etcdArgs: ['--quota-backend-bytes=8589934592'],
    apiserverArgs: ['--request-timeout=10m'],
  });
}

/** prepareReference defines the custom resource in ref and creates the namespaces of the endpoints. */
export async function prepareReference(ref: Cluster): Promise<void> {
  await applyObjects(ref.kubeconfig, [crd]);
  await kubectlOk(ref.kubeconfig, ['wait', '--for=condition=Established', `crd/${crd.metadata.name}`]);
  for (let i = 0; i < NAMESPACES; i++)
    await call(ref, 'POST', '/api/v1/namespaces', { metadata: { name: `ns-${i}` } });
}

const TXN_OPS = 128; // etcd's default --max-txn-ops
const IN_FLIGHT = 8;

/** etcdKey is where kube-apiserver (--etcd-prefix=/NAME/registry) keeps a namespaced custom resource. */
const etcdKey = (cluster: string, group: string, plural: string, ns: string, name: string): string =>
  `/${cluster}/registry/${group}/${plural}/${ns}/${name}`;

/** asStored is obj as kube-apiserver would store it on create: the server's fields set, its own
 * resourceVersion dropped. */
function asStored(obj: KObject, created: string): KObject {
  const { resourceVersion: _rv, uid: _uid, creationTimestamp: _ct, ...metadata } = obj.metadata;
  return { ...obj, metadata: { ...metadata, uid: randomUUID(), creationTimestamp: created, generation: 1 } };
}

/** putAll writes each (key, value) into etcd at url, in transactions; progress is printed every
 * 100,000 objects. */
async function putAll(url: string, count: number, item: (i: number) => [string, string]): Promise<void> {
  let next = 0;
  let done = 0;
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  const worker = async (): Promise<void> => {
    while (next < count) {
      const from = next;
      next = Math.min(count, next + TXN_OPS);
      const success = [];
      for (let i = from; i < next; i++) {
        const [key, value] = item(i);
        success.push({ requestPut: { key: b64(key), value: b64(value) } });
      }
      const res = await fetch(`${url}/v3/kv/txn`, { method: 'POST', body: JSON.stringify({ success }) });
      if (!res.ok) throw new Error(`etcd txn: HTTP ${res.status}: ${await res.text()}`);
      await res.arrayBuffer();
      const before = done;
      done += success.length;
      if (Math.floor(done / 100_000) > Math.floor(before / 100_000))
        console.error(`etcd: ${done}/${count} objects written`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

/** shape lists every field path of a JSON value (array items as []), sorted: two objects with the
 * same shape have the same fields, whatever their values. */
function shape(v: unknown): string[] {
  const paths = new Set<string>();
  const walk = (x: unknown, at: string): void => {
    paths.add(at);
    if (Array.isArray(x)) for (const y of x) walk(y, `${at}[]`);
    else if (x !== null && typeof x === 'object')
      for (const [k, y] of Object.entries(x)) walk(y, `${at}.${k}`);
  };
  walk(v, '');
  return [...paths].sort();
}
