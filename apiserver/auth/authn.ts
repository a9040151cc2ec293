// authn.ts: the delegating authenticator of fedmesh-apiserver, in upstream's order:
// (1) front-proxy headers, trusted only behind a verified requestheader client certificate,
// (2) x509 client certificates from client-ca-file, (3) bearer tokens through TokenReview.
import type { IncomingMessage } from 'node:http';
import { TLSSocket, type DetailedPeerCertificate } from 'node:tls';
import { LogBudget } from '../ratelimit.js';
import { unauthorized } from '../status.js';
import type { AuthSettings, RequestHeaderSettings } from './authconfig.js';
import { DEFAULT_HEADER_NAMES, identityHeadersPresent, userFromHeaders } from './requestheader.js';
import { bearerToken, type TokenReviewAuthenticator } from './tokenreview.js';
import type { AuthLogger, AuthMetric, AuthRequest, Authenticator, UserInfo } from './types.js';
import { credentialId, subjectOf, verifyClientChain } from './x509verify.js';

/** ALL_AUTHENTICATED is the group every authenticated user belongs to. */
export const ALL_AUTHENTICATED = 'system:authenticated';
const ALL_UNAUTHENTICATED = 'system:unauthenticated';
const CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';

/** DelegatingAuthenticatorOptions configure a DelegatingAuthenticator. */
export interface DelegatingAuthenticatorOptions {
  /** Current settings, e.g. () => authConfig.current(); undefined disables certificate checks. */
  settings: () => AuthSettings | undefined;
  /** Bearer-token reviewer; without it tokens are not accepted. */
  tokens?: TokenReviewAuthenticator;
  logger: AuthLogger;
  clock?: () => number;
  metric?: AuthMetric;
}

/** withAuthenticatedGroup adds system:authenticated once (not to system:unauthenticated users). */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.includes(ALL_AUTHENTICATED) || user.groups.includes(ALL_UNAUTHENTICATED)) return user;
  return { ...user, groups: [...user.groups, ALL_AUTHENTICATED] };
}

type Step = { user: UserInfo } | { error: string } | undefined;

/** DelegatingAuthenticator authenticates requests the way a Kubernetes delegating server does. */
export class DelegatingAuthenticator implements Authenticator {
  // Forged identity headers are logged at most 10 times a minute (a client can send them in a loop).
  readonly #logBudget = new LogBudget(10, 60_000);

  constructor(private readonly opts: DelegatingAuthenticatorOptions) {}

  /** authenticate returns the user, undefined without credentials, or throws 401 for bad ones. */
  async authenticate(req: AuthRequest): Promise<UserInfo | undefined> {
    const settings = this.opts.settings();
    const errors: string[] = [];
    for (const step of [
      () => this.requestHeader(req, settings?.requestHeader),
      () => this.clientCert(req, settings),
      () => this.token(req),
    ]) {
      const r = await step();
      if (r && 'user' in r) return withAuthenticatedGroup(r.user);
      if (r) errors.push(r.error);
    }
    if (errors.length === 0) return undefined;
    this.opts.metric?.('authn_total', { result: 'error' });
    this.opts.logger.debug?.('authentication failed', { errors });
    throw unauthorized();
  }

  private now(): number {
    return (this.opts.clock ?? Date.now)();
  }

  private requestHeader(req: AuthRequest, rh: RequestHeaderSettings | undefined): Step {
    const why = this.proxyCertProblem(req, rh);
    if (why === undefined && rh) {
      const user = userFromHeaders(req, rh);
      this.opts.metric?.('authn_total', { method: 'requestheader', result: user ? 'success' : 'nouser' });
      return user ? { user } : undefined;
    }
    const spoofed = identityHeadersPresent(req, rh ?? DEFAULT_HEADER_NAMES);
    if (spoofed.length > 0) {
      // Someone other than kube-apiserver's front proxy claims an identity: never trust it.
      const suppressed = this.#logBudget.take('untrusted-identity-headers');
      if (suppressed !== undefined)
        this.opts.logger.warn(
          'ignoring identity headers from a client without a valid front-proxy certificate',
          {
            headers: spoofed,
            reason: why ?? 'requestheader authentication is not configured',
            ...(suppressed > 0 ? { suppressedSimilar: suppressed } : {}),
          },
        );
      this.opts.metric?.('authn_untrusted_headers_total', {});
    }
    return why && req.peerCertificates.length > 0 && rh ? { error: why } : undefined;
  }

  /** proxyCertProblem is undefined when the peer is a trusted front proxy, else the reason. */
  private proxyCertProblem(req: AuthRequest, rh: RequestHeaderSettings | undefined): string | undefined {
    if (!rh) return 'requestheader authentication is not configured';
    const chain = verifyClientChain(req.peerCertificates, rh.ca, this.now());
    if (!chain.ok) return `requestheader: ${chain.reason}`;
    const cn = subjectOf(chain.leaf).commonName;
    if (rh.allowedNames.length > 0 && !rh.allowedNames.includes(cn)) {
      return `x509: subject with cn=${cn} is not in the allowed list`;
    }
    return undefined;
  }

  private clientCert(req: AuthRequest, s: AuthSettings | undefined): Step {
    if (!s || s.clientCA.length === 0 || req.peerCertificates.length === 0) return undefined;
    const chain = verifyClientChain(req.peerCertificates, s.clientCA, this.now());
    if (!chain.ok) return { error: `x509: ${chain.reason}` };
    const { commonName, organizations } = subjectOf(chain.leaf);
    if (!commonName) return undefined;
    this.opts.metric?.('authn_total', { method: 'x509', result: 'success' });
    return {
      user: {
        username: commonName,
        groups: organizations,
        extra: { [CREDENTIAL_ID]: [credentialId(chain.leaf)] },
      },
    };
  }

  private async token(req: AuthRequest): Promise<Step> {
    const token = bearerToken(req);
    if (!token || !this.opts.tokens) return undefined;
    let r;
    try {
      r = await this.opts.tokens.review(token);
    } catch (err) {
      return { error: this.opts.tokens.failure(err) };
    }
    this.opts.metric?.('authn_total', { method: 'token', result: 'user' in r ? 'success' : 'rejected' });
    return 'user' in r ? r : { error: r.rejected };
  }
}

/** peerChainDer walks a peer certificate and its issuers into a DER list, leaf first. */
export function peerChainDer(peer: DetailedPeerCertificate | undefined): Buffer[] {
  const out: Buffer[] = [];
  const seen = new Set<string>();
  let c: DetailedPeerCertificate | undefined = peer;
  while (c?.raw && !seen.has(c.fingerprint256)) {
    seen.add(c.fingerprint256);
    out.push(c.raw);
    c = c.issuerCertificate;
  }
  return out;
}

/** authRequestFrom builds an AuthRequest from a node HTTP(S) request. */
export function authRequestFrom(req: IncomingMessage): AuthRequest {
  const socket = req.socket;
  const peer = socket instanceof TLSSocket ? socket.getPeerCertificate(true) : undefined;
  return { headersDistinct: req.headersDistinct, peerCertificates: peerChainDer(peer) };
}
