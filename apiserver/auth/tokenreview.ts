// tokenreview.ts: bearer tokens checked by kube-apiserver through TokenReview
// (authentication.k8s.io/v1), with results cached by a hash of the token. The token itself is
// never logged, stored or used as a key.
import { createHash } from 'node:crypto';
import type { AuthenticationV1Api, V1TokenReview } from '@kubernetes/client-node';
import { describeApiError } from './errors.js';
import { TtlCache } from './ttlcache.js';
import type { AuthLogger, AuthMetric, AuthRequest, UserInfo } from './types.js';

/** TokenReviewClient is the part of AuthenticationV1Api used here (wrap it to count calls). */
export type TokenReviewClient = Pick<AuthenticationV1Api, 'createTokenReview'>;

/** TokenResult is a reviewed token: its user, or the reason it was rejected. */
export type TokenResult = { user: UserInfo } | { rejected: string };

/** TokenReviewOptions configure a TokenReviewAuthenticator. */
export interface TokenReviewOptions {
  client: TokenReviewClient;
  logger: AuthLogger;
  /** Audiences to ask for; empty means kube-apiserver's own audiences. */
  audiences?: string[];
  /** Cache time for both accepted and rejected tokens; default 10 s as upstream. */
  cacheTtlMs?: number;
  maxEntries?: number;
  clock?: () => number;
  metric?: AuthMetric;
}

/** bearerToken returns the token of an "Authorization: Bearer <token>" header, if any. */
export function bearerToken(req: AuthRequest): string | undefined {
  const header = req.headersDistinct['authorization']?.[0];
  if (!header) return undefined;
  const m = /^bearer\s+(.+)$/i.exec(header.trim());
  const token = m?.[1]?.trim();
  return token ? token : undefined;
}

/** tokenKey is the cache key of a token: a SHA-256 hash, so the token is not kept in memory maps. */
export function tokenKey(token: string, audiences: string[]): string {
  return createHash('sha256').update(token).update('\0').update(audiences.join(',')).digest('hex');
}

function userFrom(review: V1TokenReview): UserInfo {
  const u = review.status?.user ?? {};
  const user: UserInfo = {
    username: u.username ?? '',
    groups: [...(u.groups ?? [])],
    extra: { ...(u.extra ?? {}) },
  };
  if (u.uid) user.uid = u.uid;
  return user;
}

/** TokenReviewAuthenticator reviews bearer tokens with kube-apiserver and caches the answers. */
export class TokenReviewAuthenticator {
  private readonly cache: TtlCache<TokenResult>;
  private readonly audiences: string[];

  constructor(private readonly opts: TokenReviewOptions) {
    this.cache = new TtlCache(opts.maxEntries ?? 4096, opts.clock);
    this.audiences = opts.audiences ?? [];
  }

  /** review returns the token's user or rejection; it throws only when the review itself failed. */
  async review(token: string): Promise<TokenResult> {
    const key = tokenKey(token, this.audiences);
    const hit = this.cache.get(key);
    this.opts.metric?.('tokenreview_cache_total', { result: hit ? 'hit' : 'miss' });
    if (hit) return hit;
    const body: V1TokenReview = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token, ...(this.audiences.length > 0 ? { audiences: this.audiences } : {}) },
    };
    const review = await this.opts.client.createTokenReview({ body });
    const result = this.resultOf(review);
    this.cache.set(key, result, this.opts.cacheTtlMs ?? 10_000);
    return result;
  }

  private resultOf(review: V1TokenReview): TokenResult {
    const st = review.status;
    if (!st?.authenticated) return { rejected: st?.error || 'invalid bearer token' };
    if (this.audiences.length > 0 && !(st.audiences ?? []).some((a) => this.audiences.includes(a))) {
      return { rejected: 'token audiences do not match' };
    }
    const user = userFrom(review);
    return user.username ? { user } : { rejected: 'token review returned no username' };
  }

  /** failure logs a failed review without the token and returns a short reason. */
  failure(err: unknown): string {
    this.opts.logger.error('TokenReview failed', { ...describeApiError(err) });
    return 'token review failed';
  }
}
