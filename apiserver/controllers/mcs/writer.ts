// writer.ts: the MCS controller's writes to the local cluster, through the token bucket it shares
// with its slice writer: ServiceImports (spec and status) and derived Services by server-side
// apply (field manager federated.mesh), their deletion, and ServiceExport status by update.
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Service,
} from '@kubernetes/client-node';
import {
  MCS_GROUP,
  MCS_VERSION,
  SERVICE_EXPORTS,
  SERVICE_IMPORTS,
  type ServiceExport,
  type ServiceImport,
} from '../../../api/index.js';
import { MANAGED_BY, type ExportCondition } from '../../mesh/kinds/compact.js';
import type { TokenBucket } from '../fedservices/writer.js';

const IMPORTS = { group: MCS_GROUP, version: MCS_VERSION, plural: SERVICE_IMPORTS.plural };
const EXPORTS = { group: MCS_GROUP, version: MCS_VERSION, plural: SERVICE_EXPORTS.plural };
const APPLY = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

const ignoreNotFound = (err: unknown): void => {
  if ((err as { code?: number }).code !== 404) throw err;
};

/** MCSWriter writes ServiceImports, derived Services and ServiceExport status. */
export class MCSWriter {
  readonly #custom: CustomObjectsApi;
  readonly #core: CoreV1Api;
  /** writes counts the requests sent. */
  writes = 0;

  constructor(
    kc: KubeConfig,
    private readonly bucket: TokenBucket,
  ) {
    this.#custom = kc.makeApiClient(CustomObjectsApi);
    this.#core = kc.makeApiClient(CoreV1Api);
  }

  async #take(): Promise<void> {
    await this.bucket.take();
    this.writes++;
  }

  /** applyImport applies a ServiceImport's metadata and spec; it returns the object (uid). */
  async applyImport(imp: ServiceImport): Promise<ServiceImport> {
    await this.#take();
    const { status: _status, ...body } = imp;
    const { namespace, name } = imp.metadata;
    return (await this.#custom.patchNamespacedCustomObject(
      { ...IMPORTS, namespace: namespace!, name, body, fieldManager: MANAGED_BY, force: true },
      APPLY,
    )) as ServiceImport;
  }

  /** applyImportStatus applies a ServiceImport's status (the exporting clusters). */
  async applyImportStatus(imp: ServiceImport): Promise<void> {
    await this.#take();
    const { namespace, name } = imp.metadata;
    const body = {
      apiVersion: imp.apiVersion,
      kind: imp.kind,
      metadata: { name, namespace },
      status: imp.status,
    };
    await this.#custom.patchNamespacedCustomObjectStatus(
      { ...IMPORTS, namespace: namespace!, name, body, fieldManager: MANAGED_BY, force: true },
      APPLY,
    );
  }

  /** deleteImport deletes a ServiceImport; one already gone is fine. */
  async deleteImport(namespace: string, name: string): Promise<void> {
    await this.#take();
    await this.#custom.deleteNamespacedCustomObject({ ...IMPORTS, namespace, name }).catch(ignoreNotFound);
  }

  /** applyService applies a derived Service. A hand edit of a port's number or protocol (the key
   * of a Service's ports in server-side apply) would survive an apply beside fedmesh's port and make
   * it invalid, so on 422 the port list is replaced wholesale by a merge patch, then applied again. */
  async applyService(svc: V1Service): Promise<void> {
    const name = svc.metadata!.name!;
    const namespace = svc.metadata!.namespace!;
    const apply = async (): Promise<void> => {
      await this.#take();
      await this.#core.patchNamespacedService(
        { name, namespace, body: svc, fieldManager: MANAGED_BY, force: true },
        APPLY,
      );
    };
    try {
      await apply();
    } catch (err) {
      if ((err as { code?: number }).code !== 422) throw err;
      await this.#take();
      await this.#core.patchNamespacedService(
        { name, namespace, body: { spec: { ports: svc.spec?.ports ?? [] } }, fieldManager: MANAGED_BY },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      await apply();
    }
  }

  /** deleteService deletes a derived Service; one already gone is fine. */
  async deleteService(namespace: string, name: string): Promise<void> {
    await this.#take();
    await this.#core.deleteNamespacedService({ namespace, name }).catch(ignoreNotFound);
  }

  /** exportStatus replaces a ServiceExport's conditions at the resourceVersion the mesh saw (a
   * conflict means a newer version is on its way, and the controller decides again). */
  async exportStatus(
    e: { namespace: string; name: string; resourceVersion: string },
    conditions: ExportCondition[],
  ): Promise<void> {
    await this.#take();
    const body: ServiceExport = {
      apiVersion: `${MCS_GROUP}/${MCS_VERSION}`,
      kind: 'ServiceExport',
      metadata: { name: e.name, namespace: e.namespace, resourceVersion: e.resourceVersion },
      status: { conditions: conditions as NonNullable<ServiceExport['status']>['conditions'] },
    };
    await this.#custom.replaceNamespacedCustomObjectStatus({
      ...EXPORTS,
      namespace: e.namespace,
      name: e.name,
      body,
    });
  }
}
