// status.ts: client-node errors as kubectl prints them: `Error from server (Reason): message`.
import { CliError } from '../cli/errors.js';

interface StatusBody {
  kind?: string;
  reason?: string;
  message?: string;
  code?: number;
}

/** statusOf extracts the HTTP code and Status body of a client-node error, if it is one. */
export function statusOf(err: unknown): { code: number; status: StatusBody } | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = err.code;
  if (typeof code !== 'number') return undefined;
  const raw = (err as { body?: unknown }).body;
  let body: unknown = raw;
  if (typeof raw === 'string') {
    try {
      body = JSON.parse(raw) as unknown;
    } catch {
      body = { message: raw.trim() };
    }
  }
  return { code, status: typeof body === 'object' && body !== null ? body : {} };
}

/** isNotFound says whether err is a 404 from the API server (or a kind it does not serve). */
export function isNotFound(err: unknown): boolean {
  if (statusOf(err)?.code === 404) return true;
  // KubernetesObjectApi throws a plain Error when discovery does not know the kind (CRD gone).
  return err instanceof Error && /Unrecognized API version and kind/.test(err.message);
}

/** statusError maps any error from a request to a CliError printed kubectl style. */
export function statusError(err: unknown, doing?: string): CliError {
  if (err instanceof CliError) return err;
  const s = statusOf(err);
  if (s) {
    const reason = s.status.reason ?? reasonFor(s.code);
    const msg = s.status.message ?? `the server responded with status ${s.code}`;
    return new CliError(
      'ESERVER',
      `Error from server (${reason}): ${msg}`,
      doing ? `(while ${doing})` : undefined,
    );
  }
  const e = err as NodeJS.ErrnoException;
  if (
    e instanceof Error &&
    (e.name === 'AbortError' || e.name === 'TimeoutError' || (e as { type?: string }).type === 'aborted')
  ) {
    return new CliError('EUNREACHABLE', 'the API request timed out (--request-timeout)');
  }
  const msg = e instanceof Error ? e.message : String(err);
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.message ? `${msg}: ${cause.message}` : msg;
  return new CliError(
    'EUNREACHABLE',
    `cannot reach the API server: ${detail}`,
    doing ? `(while ${doing})` : undefined,
  );
}

function reasonFor(code: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    401: 'Unauthorized',
    403: 'Forbidden',
    404: 'NotFound',
    409: 'Conflict',
    422: 'Invalid',
    429: 'TooManyRequests',
    500: 'InternalError',
    503: 'ServiceUnavailable',
    504: 'Timeout',
  };
  return reasons[code] ?? 'Unknown';
}
