// writer.ts: writes RemoteClusterConfiguration status, by the leader only, at most once per
// interval per object, and only when it changed; a removed cluster is forgotten.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { REMOTE_CLUSTER_CONFIGURATIONS, type RemoteClusterConfiguration } from '../../../api/index.js';
import type { ClusterHealth } from '../../federation/rcc/health.js';
import type { Logger } from '../../log.js';
import type { CredentialState } from '../credentials/rotator.js';
import { CoalescingWriter } from '../coalesce.js';
import { statusFor } from './conditions.js';

const RCC = {
  group: REMOTE_CLUSTER_CONFIGURATIONS.group,
  version: REMOTE_CLUSTER_CONFIGURATIONS.version,
  plural: REMOTE_CLUSTER_CONFIGURATIONS.plural,
};
/** SYNC_TIME_REFRESH_MS is how stale status.lastSyncTime may get when nothing else changed. */
export const SYNC_TIME_REFRESH_MS = 60_000;

/** StatusWriter writes RCC status when leader, rate-limited and coalesced per object. */
export class StatusWriter {
  readonly #api: CustomObjectsApi;
  readonly #loop: CoalescingWriter<ClusterHealth>;
  readonly #written = new Map<string, string>();
  readonly #last = new Map<string, ClusterHealth>();
  /** What was last written for each RCC, but for lastSyncTime, and when. */
  readonly #wrote = new Map<string, { key: string; at: number }>();

  constructor(
    kc: KubeConfig,
    isLeader: () => boolean,
    log: Logger,
    intervalMs = 1000,
    private readonly credentialOf: (name: string) => CredentialState | undefined = () => undefined,
  ) {
    this.#api = kc.makeApiClient(CustomObjectsApi);
    this.#loop = new CoalescingWriter({
      write: (name, h) => this.#write(name, h),
      isLeader,
      log,
      what: 'RemoteClusterConfiguration status',
      intervalMs,
    });
  }

  /** publish records the latest health of an RCC; it is written within intervalMs if leader. */
  publish(name: string, h: ClusterHealth): void {
    this.#last.set(name, h);
    this.#loop.set(name, h);
  }

  /** touch rewrites an RCC's status from its last health (its credential changed). */
  touch(name: string): void {
    const h = this.#last.get(name);
    if (h) this.publish(name, h);
  }

  /** forget drops an RCC (deleted). */
  forget(name: string): void {
    this.#last.delete(name);
    this.#loop.forget(name);
    this.#written.delete(name);
    this.#wrote.delete(name);
  }

  /** stop cancels pending writes. */
  stop(): void {
    this.#loop.stop();
  }

  async #write(name: string, h: ClusterHealth): Promise<void> {
    // A cluster that keeps sending changes moves lastSyncTime every second: on its own that is
    // written once a minute (100 busy clusters would otherwise cost 200 requests a second).
    const key = JSON.stringify({ ...h, lastSyncTime: undefined, credential: this.credentialOf(name) });
    const was = this.#wrote.get(name);
    if (was?.key === key && Date.now() - was.at < SYNC_TIME_REFRESH_MS) return;
    await this.#writeStatus(name, h);
    this.#wrote.set(name, { key, at: Date.now() });
  }

  async #writeStatus(name: string, h: ClusterHealth): Promise<void> {
    const obj = (await this.#api.getClusterCustomObject({ ...RCC, name })) as RemoteClusterConfiguration;
    const status = statusFor(
      h,
      obj.status?.conditions,
      obj.metadata.generation,
      new Date(),
      this.credentialOf(name),
    );
    const text = JSON.stringify(status);
    if (this.#written.get(name) === text && JSON.stringify(obj.status) === text) return;
    await this.#api.replaceClusterCustomObjectStatus({ ...RCC, name, body: { ...obj, status } });
    this.#written.set(name, text);
  }
}
