// config-watcher.ts: watches RemoteClusterConfigurations and Secrets in the local cluster and
// asks the controller to reconcile an RCC whenever it or its access Secret changes. Secret
// contents stay in memory only and are never logged.
import {
  CoreV1Api,
  CustomObjectsApi,
  makeInformer,
  type Informer,
  type KubeConfig,
  type KubernetesObject,
  type ObjectCache,
  type V1Secret,
} from '@kubernetes/client-node';
import { REMOTE_CLUSTER_CONFIGURATIONS as RCC_NAMES } from '../../../api/index.js';
import { runInformer } from '../../informer.js';
import type { Logger } from '../../log.js';
import type { FederationController } from './controller.js';
import { secretRef, type RCCObject } from './rcc.js';

const RCC = { group: RCC_NAMES.group, version: RCC_NAMES.version, plural: RCC_NAMES.plural };

type Cached<T> = Informer<T & KubernetesObject> & ObjectCache<T & KubernetesObject>;

/** ConfigWatcher feeds RCC and Secret changes to the controller. */
export class ConfigWatcher {
  readonly #rccs: Cached<RCCObject>;
  readonly #secrets: Cached<V1Secret>;
  #stopped = false;

  constructor(
    kc: KubeConfig,
    private readonly secretNamespace: string,
    private readonly controller: FederationController,
    private readonly log: Logger,
  ) {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const core = kc.makeApiClient(CoreV1Api);
    this.#rccs = makeInformer(
      kc,
      `/apis/${RCC.group}/${RCC.version}/${RCC.plural}`,
      () => custom.listClusterCustomObject(RCC) as never,
    );
    // Only the server's own namespace: its Role grants Secrets there and nowhere else.
    this.#secrets = makeInformer(
      kc,
      `/api/v1/namespaces/${secretNamespace}/secrets`,
      () => core.listNamespacedSecret({ namespace: secretNamespace }) as never,
    );
    for (const ev of ['add', 'update'] as const) {
      this.#rccs.on(ev, (o) => this.#reconcile(o.metadata.name));
      this.#secrets.on(ev, (s) => this.#secretChanged(s));
    }
    this.#rccs.on('delete', (o) => void this.controller.reconcile(o.metadata.name, undefined, undefined));
    this.#secrets.on('delete', (s) => this.#secretChanged(s));
  }

  /** start lists and watches both kinds; failures retry with backoff and are logged with a hint. */
  async start(): Promise<void> {
    // Secrets first, so the first reconcile of each RCC already sees its Secret.
    await this.#run(this.#secrets, 'secrets');
    await this.#run(this.#rccs, RCC.plural);
  }

  /** names are the RemoteClusterConfigurations listed so far. */
  names(): string[] {
    return this.#rccs.list().map((r) => r.metadata.name);
  }

  /** stop ends both watches. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([this.#rccs.stop(), this.#secrets.stop()]);
  }

  #secretFor(rcc: RCCObject): V1Secret | undefined {
    const ref = secretRef(rcc);
    return ref
      ? this.#secrets.list().find((s) => `${s.metadata?.namespace}/${s.metadata?.name}` === ref)
      : undefined;
  }

  #reconcile(name: string): void {
    const rcc = this.#rccs.list().find((r) => r.metadata.name === name);
    void this.controller
      .reconcile(name, rcc, rcc && this.#secretFor(rcc))
      .catch((err: unknown) => this.log.error('reconcile failed', { cluster: name, error: String(err) }));
  }

  #secretChanged(s: V1Secret): void {
    const ref = `${s.metadata?.namespace}/${s.metadata?.name}`;
    for (const rcc of this.#rccs.list()) if (secretRef(rcc) === ref) this.#reconcile(rcc.metadata.name);
  }

  #run(inf: Informer<KubernetesObject>, what: string): Promise<void> {
    return runInformer(inf, {
      what,
      log: this.log,
      stopped: () => this.#stopped,
      hint: (code) =>
        code === 404
          ? ` (is the ${RCC.group} CRD installed? run: kubectl mesh install)`
          : code === 403
            ? ' (fedmesh-apiserver lacks list/watch permission on it)'
            : '',
    });
  }
}
