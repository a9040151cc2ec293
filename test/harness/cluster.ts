// cluster.ts: one harness cluster: a kube-apiserver (aggregation and RBAC on, its own CAs),
// optionally a kube-controller-manager, and kubeconfig files for the admin and test users.
import { request } from 'node:https';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { issueCert } from '../../core/pki.js';
import { writeKubeconfig } from './kubeconfig.js';
import { FRONT_PROXY_CLIENT_NAME, writeClusterPki, type ClusterPki } from './pki-files.js';
import { freePorts } from './ports.js';
import { logTail, startProcess, stopProcess, type Managed } from './process.js';
import { waitFor } from './wait.js';

/** ClusterOptions configure one harness cluster. */
export interface ClusterOptions {
  name: string;
  /** Folder holding kube-apiserver (and kube-controller-manager when requested). */
  binDir: string;
  etcdUrl: string;
  dir: string;
  controllerManager?: boolean;
  /** Address kube-apiserver listens on (default 127.0.0.1); real nodes reach it on their underlay. */
  bindAddress?: string;
  /** More kube-apiserver flags; each replaces the default flag of the same name. */
  extraArgs?: (c: Cluster) => string[];
  /** More kube-controller-manager controllers. */
  extraControllers?: string[];
  /** Also run a kube-scheduler (pods without spec.nodeName, as Deployments make, get nodes). */
  scheduler?: boolean;
}

/** Cluster is a running harness cluster. */
export class Cluster {
  readonly name: string;
  readonly dir: string;
  readonly pki: ClusterPki;
  readonly kubeconfig: string;
  port = 0;
  apiserver?: Managed;
  controllerManager?: Managed;
  scheduler?: Managed;

  constructor(private readonly opts: ClusterOptions) {
    this.name = opts.name;
    this.dir = opts.dir;
    mkdirSync(this.dir, { recursive: true });
    this.pki = writeClusterPki(this.dir, this.name, opts.bindAddress ? [opts.bindAddress] : []);
    this.kubeconfig = join(this.dir, 'admin.kubeconfig');
  }

  /** url is the cluster's API endpoint. */
  get url(): string {
    return `https://${this.opts.bindAddress ?? '127.0.0.1'}:${this.port}`;
  }

  /** start launches kube-apiserver (on a fresh port the first time) and waits for /readyz. */
  async start(): Promise<void> {
    if (this.port === 0) this.port = (await freePorts(1))[0]!;
    writeKubeconfig(this.kubeconfig, {
      clusterName: this.name,
      server: this.url,
      caPem: this.pki.servingCA.certPem,
      userName: `${this.name}-admin`,
      credential: this.pki.admin,
    });
    this.apiserver = startProcess(
      `kube-apiserver (${this.name})`,
      join(this.opts.binDir, 'kube-apiserver'),
      withFlags(this.apiserverArgs(), this.opts.extraArgs?.(this) ?? []),
      join(this.dir, 'kube-apiserver.log'),
    );
    await this.waitReady(this.apiserver);
    if (this.opts.controllerManager && !this.controllerManager) await this.startControllerManager();
    if (this.opts.scheduler && !this.scheduler) await this.startScheduler();
  }

  /** stopApiserver stops kube-apiserver only (to simulate an outage); start() brings it back. */
  async stopApiserver(): Promise<void> {
    if (this.apiserver) await stopProcess(this.apiserver);
  }

  /** stop stops every process of the cluster. */
  async stop(): Promise<void> {
    const running = [this.scheduler, this.controllerManager, this.apiserver].filter((p) => p !== undefined);
    await Promise.all(running.map((p) => stopProcess(p)));
  }

  /** userKubeconfig writes a kubeconfig for a client-certificate user with the given groups. */
  userKubeconfig(user: string, groups: string[] = []): string {
    const credential = issueCert(this.pki.clientCA, {
      commonName: user,
      organizations: groups,
      usage: 'client',
    });
    const safe = user.replace(/[^a-zA-Z0-9_.-]/g, '_');
    return writeKubeconfig(join(this.dir, `user-${safe}.kubeconfig`), {
      clusterName: this.name,
      server: this.url,
      caPem: this.pki.servingCA.certPem,
      userName: user,
      credential,
    });
  }

  /** get performs an authenticated GET as the admin and returns status and body. */
  get(path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.url}${path}`,
        {
          ca: this.pki.servingCA.certPem,
          cert: this.pki.admin.certPem,
          key: this.pki.admin.keyPem,
          timeout: 5000,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`GET ${path}: timeout`)));
      req.on('error', reject);
      req.end();
    });
  }

  private async waitReady(p: Managed): Promise<void> {
    await waitFor(
      `${this.name} kube-apiserver /readyz`,
      async () => (await this.get('/readyz')).status === 200,
      {
        timeoutMs: 90_000,
        intervalMs: 200,
        process: p,
      },
    ).catch((err: Error) => {
      void stopProcess(p);
      throw new Error(`${err.message}\n--- ${p.name} log ---\n${logTail(p)}`);
    });
  }

  private apiserverArgs(): string[] {
    const f = this.pki.files;
    return [
      `--etcd-servers=${this.opts.etcdUrl}`,
      `--etcd-prefix=/${this.name}/registry`,
      `--bind-address=${this.opts.bindAddress ?? '127.0.0.1'}`,
      `--advertise-address=${this.opts.bindAddress ?? '127.0.0.1'}`,
      `--secure-port=${this.port}`,
      // The loopback advertise address cannot be written into the kubernetes Endpoints.
      '--endpoint-reconciler-type=none',
      `--tls-cert-file=${f.servingCert}`,
      `--tls-private-key-file=${f.servingKey}`,
      `--client-ca-file=${f.clientCA}`,
      '--authorization-mode=RBAC',
      '--service-cluster-ip-range=10.0.0.0/24',
      `--service-account-issuer=${this.url}`,
      `--service-account-key-file=${f.saPub}`,
      `--service-account-signing-key-file=${f.saKey}`,
      // No kubelet mounts tokens and the controller-manager is optional, so no SA admission.
      '--disable-admission-plugins=ServiceAccount',
      '--allow-privileged=true',
      `--requestheader-client-ca-file=${f.frontProxyCA}`,
      `--requestheader-allowed-names=${FRONT_PROXY_CLIENT_NAME}`,
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-uid-headers=X-Remote-Uid',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${f.frontProxyClientCert}`,
      `--proxy-client-key-file=${f.frontProxyClientKey}`,
      '--profiling=false',
    ];
  }

  private async startControllerManager(): Promise<void> {
    const [port] = await freePorts(1);
    const certDir = join(this.dir, 'kcm');
    mkdirSync(certDir, { recursive: true });
    this.controllerManager = startProcess(
      `kube-controller-manager (${this.name})`,
      join(this.opts.binDir, 'kube-controller-manager'),
      [
        `--kubeconfig=${this.kubeconfig}`,
        `--authentication-kubeconfig=${this.kubeconfig}`,
        `--authorization-kubeconfig=${this.kubeconfig}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${port}`,
        `--cert-dir=${certDir}`,
        '--leader-elect=false',
        '--use-service-account-credentials=false',
        `--controllers=${[
          'namespace-controller,serviceaccount-controller,serviceaccount-token-controller,garbage-collector-controller,clusterrole-aggregation-controller',
          ...(this.opts.extraControllers ?? []),
        ].join(',')}`,
        `--service-account-private-key-file=${this.pki.files.saKey}`,
        `--root-ca-file=${this.pki.files.servingCA}`,
      ],
      join(this.dir, 'kube-controller-manager.log'),
    );
  }

  private async startScheduler(): Promise<void> {
    const [port] = await freePorts(1);
    this.scheduler = startProcess(
      `kube-scheduler (${this.name})`,
      join(this.opts.binDir, 'kube-scheduler'),
      [
        `--kubeconfig=${this.kubeconfig}`,
        `--authentication-kubeconfig=${this.kubeconfig}`,
        `--authorization-kubeconfig=${this.kubeconfig}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${port}`,
        '--leader-elect=false',
      ],
      join(this.dir, 'kube-scheduler.log'),
    );
  }
}

// withFlags replaces the flags of base that extra names (--name=value) and appends the rest.
function withFlags(base: string[], extra: string[]): string[] {
  const names = new Set(extra.map((a) => a.split('=')[0]));
  return [...base.filter((a) => !names.has(a.split('=')[0])), ...extra];
}
