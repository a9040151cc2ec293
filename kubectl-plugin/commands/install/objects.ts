// objects.ts: what `kubectl mesh install` applies, in order: the base with the serving Secret
// before the Deployment and the APIService caBundle filled; or, in local mode (the server runs
// as a local process), the namespace, CRDs, user RBAC and the local registration.
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject, V1Secret } from '@kubernetes/client-node';
import { localRegistrationObjects } from './local.js';
import { MESH, isNotFound, statusError } from '../../kube/index.js';
import { servingFrom, servingSecret, type Serving } from './certs.js';
import { isLocalModeFile, readBase, type Manifest } from './manifests.js';

/** Obj is an object to apply (plain JSON with apiVersion, kind and metadata). */
export type Obj = KubernetesObject & Record<string, unknown>;

/** InstallOptions are install's flags after validation. */
export interface InstallOptions {
  local?: { port: number; caPem: string };
  rotateCerts: boolean;
  clusterName?: string;
  /** The image reference of the fedmesh containers (default: manifests/kustomization.yaml). */
  image?: string;
}

/** Plan is what install applies; meshConfig (if any) goes last, once its CRD is served. */
export interface Plan {
  objects: Obj[];
  meshConfig?: Obj;
  serving?: Serving;
}

const PART_OF = { 'app.kubernetes.io/part-of': 'fedmesh' };

/** planInstall builds the objects to apply; readSecret is undefined offline (--dry-run=client without a cluster). */
export async function planInstall(
  opts: InstallOptions,
  readSecret?: () => Promise<V1Secret | undefined>,
): Promise<Plan> {
  const base = readBase(undefined, opts.image);
  const meshConfig = opts.clusterName ? meshConfiguration(opts.clusterName) : undefined;
  if (opts.local) return { objects: localObjects(base, opts.local), meshConfig };
  const serving = servingFrom(await readSecret?.(), opts.rotateCerts);
  const objects: Obj[] = [];
  for (const { obj } of base) {
    if (obj.kind === 'Deployment') objects.push(servingSecret(serving));
    objects.push(obj.kind === 'APIService' ? withCABundle(obj, serving.caPem) : obj);
  }
  return { objects, meshConfig, serving };
}

function localObjects(base: Manifest[], local: { port: number; caPem: string }): Obj[] {
  const registration = localRegistrationObjects({ port: local.port, caPem: local.caPem })
    .filter((o) => o.kind !== 'Namespace')
    .map((o) => labelled(o as Obj));
  return [...base.filter((m) => isLocalModeFile(m.file)).map((m) => m.obj), ...registration];
}

function labelled(o: Obj): Obj {
  const metadata = o.metadata ?? {};
  return { ...o, metadata: { ...metadata, labels: { ...metadata.labels, ...PART_OF } } };
}

function withCABundle(obj: Obj, caPem: string): Obj {
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  return { ...obj, spec: { ...spec, caBundle: Buffer.from(caPem).toString('base64') } };
}

function meshConfiguration(clusterName: string): Obj {
  return {
    apiVersion: `${MESH.configGroup}/${MESH.configVersion}`,
    kind: 'MeshConfiguration',
    metadata: { name: 'default', labels: PART_OF },
    spec: { clusterName },
  };
}

/** readServingSecret reads the existing serving Secret, or undefined when there is none. */
export async function readServingSecret(kc: KubeConfig): Promise<V1Secret | undefined> {
  try {
    return await kc
      .makeApiClient(CoreV1Api)
      .readNamespacedSecret({ name: MESH.servingSecret, namespace: MESH.namespace });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw statusError(err, `reading secret/${MESH.servingSecret} -n ${MESH.namespace}`);
  }
}

/** redacted returns obj with Secret data other than certificates removed, for printing. */
export function redacted(obj: Obj): Obj {
  if (obj.kind !== 'Secret') return obj;
  const data = { ...((obj.data as Record<string, string> | undefined) ?? {}) };
  for (const k of Object.keys(data)) if (!k.endsWith('.crt')) data[k] = '';
  return { ...obj, data };
}
