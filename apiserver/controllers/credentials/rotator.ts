// rotator.ts: renews remote readers' ServiceAccount tokens before they expire. For each
// RemoteClusterConfiguration whose access Secret holds a token, when renewFraction of the token's
// lifetime has passed, the leader asks the remote cluster for a new token of the same lifetime
// (TokenRequest with the current token: the reader may request tokens for itself only) and writes
// it into the Secret with the time of rotation; the Secret change restarts that cluster's syncer
// with the new token. Expiry, last rotation and the last failure are reported per cluster.
import { CoreV1Api, type KubeConfig, type V1Secret } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { CREDENTIAL_ROTATED_ANNOTATION, tokenClaims } from '../../../api/index.js';
import { Backoff } from '../../../core/backoff.js';
import type { Logger } from '../../log.js';

/** CredentialState is what status shows about a remote cluster's credential. */
export interface CredentialState {
  expires?: Date;
  rotated?: Date;
  error?: string;
}

/** RotatorOptions wire a CredentialRotator. */
export interface RotatorOptions {
  /** The local cluster, where access Secrets are written. */
  local: KubeConfig;
  isLeader: () => boolean;
  log: Logger;
  /** Part of a token's lifetime after which it is renewed (kubelet's projected tokens use 0.8). */
  renewFraction: number;
  onChange: (rcc: string, s: CredentialState) => void;
  now?: () => number;
}

interface Tracked {
  timer?: NodeJS.Timeout;
  backoff: Backoff;
  state: CredentialState;
}

const NOT_LEADER_RECHECK_MS = 10_000;
// The longest timer Node honours; later renewals re-arm when it fires.
const MAX_TIMER_MS = 2 ** 31 - 1;

interface StoredKubeconfig {
  users?: { user?: { token?: string } }[];
}

/** CredentialRotator keeps every tracked remote token renewed. */
export class CredentialRotator {
  readonly #tracked = new Map<string, Tracked>();
  readonly #api: CoreV1Api;
  #stopped = false;

  constructor(private readonly o: RotatorOptions) {
    this.#api = o.local.makeApiClient(CoreV1Api);
  }

  #now(): number {
    return (this.o.now ?? Date.now)();
  }

  /** state is the credential state of rcc, if it holds a token. */
  state(rcc: string): CredentialState | undefined {
    return this.#tracked.get(rcc)?.state;
  }

  /**
   * track (re)schedules the renewal of rcc's token from its Secret and the remote cluster's client
   * built from it; a credential without a ServiceAccount token (client certificate) is not renewed.
   */
  track(rcc: string, secret: V1Secret, kubeconfig: string, remote: KubeConfig): void {
    this.forget(rcc);
    if (this.#stopped) return;
    const token = (parse(kubeconfig) as StoredKubeconfig | null)?.users?.[0]?.user?.token;
    const claims = token ? tokenClaims(token) : undefined;
    if (!claims?.expires || !claims.issuedAt || !claims.serviceAccount) return;
    const rotatedAt = secret.metadata?.annotations?.[CREDENTIAL_ROTATED_ANNOTATION];
    const state: CredentialState = { expires: claims.expires };
    if (rotatedAt) state.rotated = new Date(rotatedAt);
    const t: Tracked = { backoff: new Backoff({ initialMs: 5_000, maxMs: 300_000 }), state };
    this.#tracked.set(rcc, t);
    this.o.onChange(rcc, state);
    const lifetime = claims.expires.getTime() - claims.issuedAt.getTime();
    const at = claims.issuedAt.getTime() + this.o.renewFraction * lifetime;
    const renew = (): void => void this.#renew(rcc, t, secret, kubeconfig, remote, lifetime);
    this.#arm(t, at - this.#now(), renew);
  }

  /** forget stops renewing rcc's token (RCC deleted or its Secret changed). */
  forget(rcc: string): void {
    clearTimeout(this.#tracked.get(rcc)?.timer);
    this.#tracked.delete(rcc);
  }

  /** stop cancels every renewal. */
  stop(): void {
    this.#stopped = true;
    for (const name of [...this.#tracked.keys()]) this.forget(name);
  }

  #arm(t: Tracked, delayMs: number, fn: () => void): void {
    const wait = Math.max(0, Math.min(delayMs, MAX_TIMER_MS));
    t.timer = setTimeout(
      () => (delayMs > MAX_TIMER_MS ? this.#arm(t, delayMs - MAX_TIMER_MS, fn) : fn()),
      wait,
    );
    t.timer.unref();
  }

  async #renew(
    rcc: string,
    t: Tracked,
    secret: V1Secret,
    kubeconfig: string,
    remote: KubeConfig,
    lifetimeMs: number,
  ): Promise<void> {
    const again = (): void => void this.#renew(rcc, t, secret, kubeconfig, remote, lifetimeMs);
    if (this.#tracked.get(rcc) !== t) return;
    if (!this.o.isLeader()) return this.#arm(t, NOT_LEADER_RECHECK_MS, again);
    try {
      const token = await this.#requestToken(remote, kubeconfig, lifetimeMs);
      await this.#store(secret, kubeconfig, token);
      this.o.log.info('renewed the remote cluster credential', { cluster: rcc });
      // The Secret's change comes back through the config watch and calls track() with the new token.
    } catch (err) {
      if (this.#tracked.get(rcc) !== t) return;
      const delay = t.backoff.next();
      t.state = { ...t.state, error: String((err as Error).message ?? err) };
      this.o.onChange(rcc, t.state);
      this.o.log.warn('renewing the remote cluster credential failed; retrying', {
        cluster: rcc,
        retryInMs: Math.round(delay),
        error: t.state.error,
      });
      this.#arm(t, delay, again);
    }
  }

  async #requestToken(remote: KubeConfig, kubeconfig: string, lifetimeMs: number): Promise<string> {
    const token = (parse(kubeconfig) as StoredKubeconfig).users![0]!.user!.token!;
    const sa = tokenClaims(token)!.serviceAccount!;
    const tr = await remote.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
      name: sa.name,
      namespace: sa.namespace,
      body: { spec: { audiences: [], expirationSeconds: Math.round(lifetimeMs / 1000) } },
    });
    const fresh = tr.status?.token;
    if (!fresh) throw new Error(`the TokenRequest for ${sa.namespace}/${sa.name} returned no token`);
    return fresh;
  }

  async #store(secret: V1Secret, kubeconfig: string, token: string): Promise<void> {
    const doc = parse(kubeconfig) as StoredKubeconfig & Record<string, unknown>;
    doc.users![0]!.user!.token = token;
    const body: V1Secret = {
      ...secret,
      metadata: {
        ...secret.metadata,
        annotations: {
          ...secret.metadata?.annotations,
          [CREDENTIAL_ROTATED_ANNOTATION]: new Date(this.#now()).toISOString(),
        },
      },
      data: { ...secret.data, kubeconfig: Buffer.from(stringify(doc)).toString('base64') },
    };
    // replace with the resourceVersion read: a concurrent change makes this fail with 409, retried.
    await this.#api.replaceNamespacedSecret({
      name: secret.metadata!.name!,
      namespace: secret.metadata!.namespace!,
      body,
    });
  }
}
