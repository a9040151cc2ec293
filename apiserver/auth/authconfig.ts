// authconfig.ts: reads and watches kube-system/extension-apiserver-authentication, the ConfigMap
// in which kube-apiserver publishes its client CA and front-proxy (requestheader) settings, so a
// rotated CA or a changed allowed-names list takes effect without a restart.
import { X509Certificate } from 'node:crypto';
import { CoreV1Api, Watch, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { describeApiError } from './errors.js';
import type { AuthLogger, AuthMetric } from './types.js';
import { Backoff } from '../../core/backoff.js';

/** AUTH_CONFIGMAP_NAMESPACE is the namespace of the authentication ConfigMap. */
export const AUTH_CONFIGMAP_NAMESPACE = 'kube-system';
/** AUTH_CONFIGMAP_NAME is the name of the authentication ConfigMap kube-apiserver maintains. */
export const AUTH_CONFIGMAP_NAME = 'extension-apiserver-authentication';

/** RequestHeaderSettings configure front-proxy authentication (section 5.3 of the reference). */
export interface RequestHeaderSettings {
  /** Trust anchors for the proxy's client certificate; nothing else is trusted for headers. */
  ca: X509Certificate[];
  /** Allowed leaf common names; empty means any certificate signed by ca. */
  allowedNames: string[];
  usernameHeaders: string[];
  uidHeaders: string[];
  groupHeaders: string[];
  extraHeaderPrefixes: string[];
}

/** AuthSettings is the parsed content of the authentication ConfigMap. */
export interface AuthSettings {
  /** Trust anchors for x509 client-certificate users; empty disables that authenticator. */
  clientCA: X509Certificate[];
  /** Front-proxy settings, absent when kube-apiserver has no requestheader CA. */
  requestHeader?: RequestHeaderSettings;
  resourceVersion: string;
}

/** parsePemBundle returns every certificate of a PEM bundle; it throws on a malformed one. */
export function parsePemBundle(pem: string | undefined): X509Certificate[] {
  const blocks = (pem ?? '').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

function jsonList(data: Record<string, string>, key: string): string[] {
  const raw = data[key];
  if (raw === undefined || raw === '' || raw === 'null') return [];
  const v: unknown = JSON.parse(raw);
  if (v === null) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) {
    throw new Error(`${key} is not a JSON array of strings`);
  }
  return v;
}

/** parseAuthenticationConfigMap turns the ConfigMap's data into AuthSettings; it throws on bad data. */
export function parseAuthenticationConfigMap(
  data: Record<string, string> | undefined,
  resourceVersion = '',
): AuthSettings {
  const d = data ?? {};
  const settings: AuthSettings = { clientCA: parsePemBundle(d['client-ca-file']), resourceVersion };
  const rhCA = parsePemBundle(d['requestheader-client-ca-file']);
  if (rhCA.length > 0) {
    settings.requestHeader = {
      ca: rhCA,
      allowedNames: jsonList(d, 'requestheader-allowed-names'),
      usernameHeaders: jsonList(d, 'requestheader-username-headers'),
      uidHeaders: jsonList(d, 'requestheader-uid-headers'),
      groupHeaders: jsonList(d, 'requestheader-group-headers'),
      extraHeaderPrefixes: jsonList(d, 'requestheader-extra-headers-prefix'),
    };
  }
  return settings;
}

/** readFailureMessage explains why the ConfigMap could not be read and what to grant. */
export function readFailureMessage(err: unknown): string {
  const what = `cannot read ConfigMap ${AUTH_CONFIGMAP_NAMESPACE}/${AUTH_CONFIGMAP_NAME}`;
  const code = describeApiError(err).code;
  if (code === 403) {
    return (
      `${what}: forbidden. Bind the server's ServiceAccount to the Role "extension-apiserver-authentication-reader" ` +
      `with a RoleBinding in namespace ${AUTH_CONFIGMAP_NAMESPACE} (get/list/watch on that ConfigMap)`
    );
  }
  if (code === 401) return `${what}: unauthorized; the server's kubeconfig credentials were rejected`;
  if (code === 404) {
    return `${what}: not found; kube-apiserver publishes it when started with --client-ca-file or --requestheader-client-ca-file`;
  }
  return `${what}: ${describeApiError(err).message}`;
}

/** ConfigMapReader is the part of CoreV1Api the watcher uses (injectable for tests). */
export type ConfigMapReader = Pick<CoreV1Api, 'readNamespacedConfigMap'>;

/** AuthConfigOptions configure an AuthConfigWatcher. */
export interface AuthConfigOptions {
  kubeConfig: KubeConfig;
  logger: AuthLogger;
  /** Sleep between watch reconnects; default a real (unref'd) timer. */
  sleep?: (ms: number) => Promise<void>;
  api?: ConfigMapReader;
  watch?: Pick<Watch, 'watch'>;
  metric?: AuthMetric;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

/** AuthConfigWatcher keeps the current AuthSettings in step with the ConfigMap. */
export class AuthConfigWatcher {
  private settings?: AuthSettings;
  private readyPromise?: Promise<AuthSettings>;
  private readonly listeners = new Set<(s: AuthSettings) => void>();
  private readonly api: ConfigMapReader;
  private readonly watcher: Pick<Watch, 'watch'>;
  private abort?: AbortController;
  private stopped = false;
  private readonly backoff = new Backoff({ initialMs: 1000, maxMs: 30_000 });

  constructor(private readonly opts: AuthConfigOptions) {
    this.api = opts.api ?? opts.kubeConfig.makeApiClient(CoreV1Api);
    this.watcher = opts.watch ?? new Watch(opts.kubeConfig);
  }

  /** start reads the ConfigMap once (rejecting with a clear message) and then keeps watching it. */
  start(): Promise<AuthSettings> {
    this.readyPromise ??= this.load().then((s) => {
      void this.watchLoop();
      return s;
    });
    return this.readyPromise;
  }

  /** ready resolves after the first successful read (it calls start). */
  get ready(): Promise<AuthSettings> {
    return this.start();
  }

  /** current returns the latest settings, or undefined before the first read. */
  current(): AuthSettings | undefined {
    return this.settings;
  }

  /** onChange registers a listener for new settings and returns its removal function. */
  onChange(listener: (s: AuthSettings) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** stop ends the watch; current() keeps returning the last settings. */
  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  private async load(): Promise<AuthSettings> {
    let cm: V1ConfigMap;
    try {
      cm = await this.api.readNamespacedConfigMap({
        name: AUTH_CONFIGMAP_NAME,
        namespace: AUTH_CONFIGMAP_NAMESPACE,
      });
    } catch (err) {
      throw new Error(readFailureMessage(err), { cause: err });
    }
    const s = parseAuthenticationConfigMap(cm.data, cm.metadata?.resourceVersion);
    this.set(s);
    return s;
  }

  private set(s: AuthSettings): void {
    this.settings = s;
    this.opts.metric?.('authconfig_reloads_total', {});
    this.opts.logger.info('authentication settings loaded', {
      resourceVersion: s.resourceVersion,
      clientCAs: s.clientCA.length,
      requestHeaderCAs: s.requestHeader?.ca.length ?? 0,
      allowedNames: s.requestHeader?.allowedNames ?? [],
    });
    for (const l of this.listeners) l(s);
  }

  private async watchLoop(): Promise<void> {
    while (!this.stopped) {
      const relist = await this.watchOnce().then(
        () => false,
        (err: unknown) => {
          if (!this.stopped)
            this.opts.logger.warn('authentication ConfigMap watch failed', { ...describeApiError(err) });
          return true;
        },
      );
      if (this.stopped) return;
      if (relist) {
        await (this.opts.sleep ?? defaultSleep)(this.backoff.next());
        // A failed or expired watch may have missed an update: read the ConfigMap again.
        await this.load().catch((err: unknown) => this.opts.logger.warn(readFailureMessage(err)));
      }
    }
  }

  private watchOnce(): Promise<void> {
    return new Promise((resolve, reject) => {
      const query = {
        fieldSelector: `metadata.name=${AUTH_CONFIGMAP_NAME}`,
        resourceVersion: this.settings?.resourceVersion,
        allowWatchBookmarks: true,
      };
      const done = (err: unknown): void =>
        err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : resolve();
      this.watcher
        .watch(
          `/api/v1/namespaces/${AUTH_CONFIGMAP_NAMESPACE}/configmaps`,
          query,
          (phase, obj) => {
            try {
              this.onEvent(phase, obj as V1ConfigMap & { code?: number; message?: string });
            } catch (err) {
              reject(err instanceof Error ? err : new Error(String(err)));
              this.abort?.abort();
            }
          },
          done,
        )
        .then((ac) => {
          this.abort = ac;
          if (this.stopped) ac.abort(); // stop() came while the watch was connecting
        }, done);
    });
  }

  private onEvent(phase: string, obj: V1ConfigMap & { code?: number; message?: string }): void {
    if (phase === 'ERROR') throw new Error(`watch error ${obj.code ?? ''}: ${obj.message ?? ''}`);
    this.backoff.reset();
    const rv = obj.metadata?.resourceVersion ?? '';
    if (phase === 'DELETED') {
      this.opts.logger.warn('authentication ConfigMap deleted; keeping the last settings');
      return;
    }
    if (!this.settings || rv === this.settings.resourceVersion) return;
    if (phase === 'BOOKMARK') {
      this.settings = { ...this.settings, resourceVersion: rv };
      return;
    }
    try {
      this.set(parseAuthenticationConfigMap(obj.data, rv));
    } catch (err) {
      // Keep trusting the last good settings rather than none.
      this.opts.logger.error('ignoring malformed authentication ConfigMap', {
        resourceVersion: rv,
        error: String(err),
      });
      this.opts.metric?.('authconfig_errors_total', {});
    }
  }
}
