// admission.ts: how much work fedmesh-apiserver accepts at once, as kube-apiserver's max-in-flight
// filter does: at most maxInFlight requests (maxMutatingInFlight of them mutating) and maxWatches
// open watches. A request beyond a limit gets 429 TooManyRequests with Retry-After before it costs
// anything (no authentication, no body read). Health checks are never refused.
import type { NextFunction, Request, Response } from 'express';
import { StatusError } from './status.js';

/** AdmissionLimits are the concurrency limits; 0 turns a limit off. */
export interface AdmissionLimits {
  maxInFlight: number;
  maxMutatingInFlight: number;
  maxWatches: number;
}

type Kind = 'readOnly' | 'mutating' | 'watch';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const EXEMPT_PATHS = new Set(['/healthz', '/livez', '/readyz']);

// kindOf classifies a request before it is parsed: a watch is long-running and counted apart.
function kindOf(req: Request): Kind {
  if (!READ_METHODS.has(req.method)) return 'mutating';
  const q = req.url.indexOf('?');
  const watchParam = q >= 0 ? new URLSearchParams(req.url.slice(q + 1)).get('watch') : null;
  if (watchParam === 'true' || watchParam === '1' || req.path.includes('/watch/')) return 'watch';
  return 'readOnly';
}

/** tooManyRequests is upstream's 429 Status. */
export const tooManyRequests = (): StatusError =>
  new StatusError(429, 'TooManyRequests', 'Too many requests, please try again later.', {
    retryAfterSeconds: 1,
  });

/** Admission counts requests in flight and refuses those beyond the limits. */
export class Admission {
  readonly #inFlight: Record<Kind, number> = { readOnly: 0, mutating: 0, watch: 0 };
  #rejected = 0;

  constructor(private readonly limits: AdmissionLimits) {}

  /** inFlight is the number of admitted requests of each kind that have not finished. */
  get inFlight(): Readonly<Record<Kind, number>> {
    return this.#inFlight;
  }

  /** rejected is how many requests were refused with 429 since start. */
  get rejected(): number {
    return this.#rejected;
  }

  #limit(kind: Kind): number {
    if (kind === 'watch') return this.limits.maxWatches;
    if (kind === 'mutating') return this.limits.maxMutatingInFlight;
    return this.limits.maxInFlight;
  }

  /** middleware admits or refuses each request; pass refusals to the Status error handler. */
  middleware(): (req: Request, res: Response, next: NextFunction) => void {
    return (req, res, next) => {
      if (EXEMPT_PATHS.has(req.path)) return next();
      const kind = kindOf(req);
      const limit = this.#limit(kind);
      if (limit > 0 && this.#inFlight[kind] >= limit) {
        this.#rejected++;
        return next(tooManyRequests());
      }
      this.#inFlight[kind]++;
      res.once('close', () => this.#inFlight[kind]--);
      next();
    };
  }
}
