// errors.ts: a loggable summary of a failed Kubernetes API call. client-node's ApiException
// message embeds the whole response, so only the status code and the Status message are kept.

/** ApiErrorSummary is what may be logged about a failed API call. */
export interface ApiErrorSummary {
  code?: number;
  message: string;
}

/** describeApiError summarizes err without request bodies or headers. */
export function describeApiError(err: unknown): ApiErrorSummary {
  const e = err as { code?: unknown; body?: unknown } | null;
  const code = typeof e?.code === 'number' ? e.code : undefined;
  if (code !== undefined) {
    const body = typeof e?.body === 'string' ? safeParse(e.body) : e?.body;
    const msg = (body as { message?: unknown } | undefined)?.message;
    return { code, message: typeof msg === 'string' ? msg : `HTTP ${code}` };
  }
  return { message: err instanceof Error ? err.message : String(err) };
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}
