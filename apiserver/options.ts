// options.ts: fedmesh-apiserver flags: parsed, completed (defaults, a self-signed serving
// certificate when none is given) and validated before anything starts.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dnsLabelProblem } from '../api/index.js';
import { createCA, issueCert } from '../core/pki.js';
import type { Level } from './log.js';

/** Options are fedmesh-apiserver's settings. */
export interface Options {
  securePort: number;
  bindAddress: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** Folder for a generated serving CA and certificate when no tls files are given. */
  certDir?: string;
  kubeconfig?: string;
  clusterName: string;
  serviceName: string;
  serviceNamespace: string;
  watchHistory: number;
  minRequestTimeoutSeconds: number;
  /** Largest request body accepted; larger bodies get 413. */
  maxRequestBodyBytes: number;
  /** Requests served at once (watches excluded), and how many of them may be mutating; 0: no limit. */
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
  /** Watches open at once; 0: no limit. */
  maxOpenWatches: number;
  /** Bytes a slow watcher may have queued before its watch is closed (it then re-watches). */
  watchMaxBufferedBytes: number;
  /** Seconds between watch bookmarks. */
  watchBookmarkIntervalSeconds: number;
  /** Part of a remote reader token's lifetime after which it is renewed. */
  credentialRenewFraction: number;
  /** Seconds a disconnected cluster's endpoints are kept (marked stale) before they go. */
  staleGracePeriodSeconds?: number;
  /** Seconds to wait after a start for every cluster's first sync before serving policy IP sets. */
  policySyncTimeoutSeconds?: number;
  /** Writes per second (EndpointSlices, Events) the federated services controller may send. */
  endpointSliceWritesPerSecond?: number;
  logLevel: Level;
}

/** CompletedOptions carry the serving certificate and key PEMs. */
export interface CompletedOptions extends Options {
  certPem: string;
  keyPem: string;
  /** The CA of a generated serving certificate (the APIService caBundle), if generated. */
  caPem?: string;
}

/** USAGE is the help text of fedmesh-apiserver. */
export const USAGE = `Usage: fedmesh-apiserver [flags]

Serves federated.mesh/v1alpha1 as a Kubernetes aggregated API server.

Flags:
  --secure-port=8443               HTTPS port
  --bind-address=0.0.0.0           address to listen on
  --tls-cert-file=FILE             serving certificate (PEM); generated when omitted
  --tls-private-key-file=FILE      serving key (PEM)
  --cert-dir=DIR                   where a generated CA and certificate are written
  --kubeconfig=FILE                cluster access; in-cluster configuration when omitted
  --cluster-name=NAME              name of the local cluster in the mesh (a DNS label)
  --service-name=fedmesh-apiserver --service-namespace=fedmesh
                                   Service of the APIService (the certificate's DNS name)
  --watch-history=10000            events kept per resource for watch resumption
  --min-request-timeout=1800       watch duration is random in [t, 2t] seconds
  --max-request-body-bytes=3145728 larger request bodies are refused with 413
  --max-requests-inflight=400      requests served at once (watches excluded); more get 429
  --max-mutating-requests-inflight=200
                                   of those, mutating ones (POST: SelectorReviews)
  --max-open-watches=4000          watches open at once; more get 429
  --watch-max-buffered-bytes=33554432
                                   a watcher this far behind is closed (it re-watches)
  --watch-bookmark-interval=60     seconds between watch bookmarks
  --stale-grace-period=300         seconds a disconnected cluster's endpoints are kept (stale)
  --policy-sync-timeout=120        seconds to wait after a start for every cluster's first sync
                                   before serving policy IP sets (nodes keep their rules meanwhile)
  --endpointslice-writes-per-second=20
                                   writes per second of the federated services controller
  --credential-renew-fraction=0.8  renew a remote reader token once this part of its lifetime passed
  --v=info                         log level: debug, info, warn, error
  -h, --help                       this help
`;

/** parseOptions parses argv into Options (throws with a message naming the bad flag). */
export function parseOptions(argv: string[]): Options | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      'secure-port': { type: 'string', default: '8443' },
      'bind-address': { type: 'string', default: '0.0.0.0' },
      'tls-cert-file': { type: 'string' },
      'tls-private-key-file': { type: 'string' },
      'cert-dir': { type: 'string' },
      kubeconfig: { type: 'string' },
      'cluster-name': { type: 'string', default: 'local' },
      'service-name': { type: 'string', default: 'fedmesh-apiserver' },
      'service-namespace': { type: 'string', default: 'fedmesh' },
      'watch-history': { type: 'string', default: '10000' },
      'min-request-timeout': { type: 'string', default: '1800' },
      'max-request-body-bytes': { type: 'string', default: String(3 << 20) },
      'max-requests-inflight': { type: 'string', default: '400' },
      'max-mutating-requests-inflight': { type: 'string', default: '200' },
      'max-open-watches': { type: 'string', default: '4000' },
      'watch-max-buffered-bytes': { type: 'string', default: String(32 << 20) },
      'watch-bookmark-interval': { type: 'string', default: '60' },
      'stale-grace-period': { type: 'string', default: '300' },
      'policy-sync-timeout': { type: 'string', default: '120' },
      'credential-renew-fraction': { type: 'string', default: '0.8' },
      'endpointslice-writes-per-second': { type: 'string', default: '20' },
      v: { type: 'string', default: 'info' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  return {
    securePort: Number(values['secure-port']),
    bindAddress: values['bind-address'],
    tlsCertFile: values['tls-cert-file'],
    tlsPrivateKeyFile: values['tls-private-key-file'],
    certDir: values['cert-dir'],
    kubeconfig: values.kubeconfig,
    clusterName: values['cluster-name'],
    serviceName: values['service-name'],
    serviceNamespace: values['service-namespace'],
    watchHistory: Number(values['watch-history']),
    minRequestTimeoutSeconds: Number(values['min-request-timeout']),
    maxRequestBodyBytes: Number(values['max-request-body-bytes']),
    maxRequestsInflight: Number(values['max-requests-inflight']),
    maxMutatingRequestsInflight: Number(values['max-mutating-requests-inflight']),
    maxOpenWatches: Number(values['max-open-watches']),
    watchMaxBufferedBytes: Number(values['watch-max-buffered-bytes']),
    watchBookmarkIntervalSeconds: Number(values['watch-bookmark-interval']),
    staleGracePeriodSeconds: Number(values['stale-grace-period']),
    policySyncTimeoutSeconds: Number(values['policy-sync-timeout']),
    credentialRenewFraction: Number(values['credential-renew-fraction']),
    endpointSliceWritesPerSecond: Number(values['endpointslice-writes-per-second']),
    logLevel: values.v as Level,
  };
}

/** defaultOptions returns the options of a bare `fedmesh-apiserver`, for callers that set a few. */
export const defaultOptions = (): Options => parseOptions([]) as Options;

// limitProblems checks the concurrency limits (0 turns one off) and the credential renewal point.
function limitProblems(o: Options): string[] {
  const limits = [
    ['--max-requests-inflight', o.maxRequestsInflight],
    ['--max-mutating-requests-inflight', o.maxMutatingRequestsInflight],
    ['--max-open-watches', o.maxOpenWatches],
  ] as const;
  const errs = limits
    .filter(([, v]) => !Number.isInteger(v) || v < 0)
    .map(([flag]) => `${flag} must be an integer >= 0 (0: no limit)`);
  if (!(o.credentialRenewFraction > 0 && o.credentialRenewFraction < 1))
    errs.push('--credential-renew-fraction must be between 0 and 1 (exclusive)');
  const seconds = [
    ['--stale-grace-period', o.staleGracePeriodSeconds],
    ['--policy-sync-timeout', o.policySyncTimeoutSeconds],
  ] as const;
  for (const [flag, v] of seconds) if (v !== undefined && !(v >= 0)) errs.push(`${flag} must be >= 0`);
  if (o.endpointSliceWritesPerSecond !== undefined && !(o.endpointSliceWritesPerSecond > 0))
    errs.push('--endpointslice-writes-per-second must be positive');
  return errs;
}

/** validateOptions returns every problem with the options, empty when they are usable. */
export function validateOptions(o: Options): string[] {
  const errs: string[] = [];
  if (!Number.isInteger(o.securePort) || o.securePort < 0 || o.securePort > 65535)
    errs.push('--secure-port must be 0-65535');
  const labelProblem = dnsLabelProblem(o.clusterName);
  if (labelProblem) errs.push(`--cluster-name "${o.clusterName}" ${labelProblem}`);
  if (!!o.tlsCertFile !== !!o.tlsPrivateKeyFile)
    errs.push('--tls-cert-file and --tls-private-key-file go together');
  for (const f of [o.tlsCertFile, o.tlsPrivateKeyFile, o.kubeconfig])
    if (f && !existsSync(f)) errs.push(`file not found: ${f}`);
  if (!Number.isInteger(o.watchHistory) || o.watchHistory < 100)
    errs.push('--watch-history must be an integer >= 100');
  if (!(o.minRequestTimeoutSeconds > 0)) errs.push('--min-request-timeout must be positive');
  if (!Number.isInteger(o.maxRequestBodyBytes) || o.maxRequestBodyBytes < 1024)
    errs.push('--max-request-body-bytes must be an integer >= 1024');
  errs.push(...limitProblems(o));
  if (!Number.isInteger(o.watchMaxBufferedBytes) || o.watchMaxBufferedBytes < 1 << 16)
    errs.push('--watch-max-buffered-bytes must be an integer >= 65536');
  if (!(o.watchBookmarkIntervalSeconds >= 1)) errs.push('--watch-bookmark-interval must be >= 1');
  if (!['debug', 'info', 'warn', 'error'].includes(o.logLevel))
    errs.push('--v must be debug, info, warn or error');
  return errs;
}

/** completeOptions loads the serving certificate, or generates one for <service>.<namespace>.svc. */
export function completeOptions(o: Options): CompletedOptions {
  if (o.tlsCertFile && o.tlsPrivateKeyFile) {
    return {
      ...o,
      certPem: readFileSync(o.tlsCertFile, 'utf8'),
      keyPem: readFileSync(o.tlsPrivateKeyFile, 'utf8'),
    };
  }
  const ca = createCA(`${o.serviceName}-ca`);
  const svc = `${o.serviceName}.${o.serviceNamespace}.svc`;
  const serving = issueCert(ca, {
    commonName: svc,
    dnsNames: [svc, `${svc}.cluster.local`, 'localhost'],
    ipAddresses: ['127.0.0.1', '::1'],
    usage: 'server',
  });
  if (o.certDir) {
    mkdirSync(o.certDir, { recursive: true });
    writeFileSync(join(o.certDir, 'ca.crt'), ca.certPem);
    writeFileSync(join(o.certDir, 'tls.crt'), serving.certPem);
    writeFileSync(join(o.certDir, 'tls.key'), serving.keyPem, { mode: 0o600 });
  }
  return { ...o, certPem: serving.certPem, keyPem: serving.keyPem, caPem: ca.certPem };
}
