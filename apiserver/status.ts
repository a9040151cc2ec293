// status.ts: every error fedmesh-apiserver returns is a Kubernetes Status object, built here.
// StatusError renders itself; anything else thrown by a handler becomes a logged InternalError.

/** StatusCause is one field-level problem of an Invalid (422) error. */
export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

/** StatusDetails is the details block of a Status. */
export interface StatusDetails {
  name?: string;
  group?: string;
  /** The plural resource name, as upstream puts it there. */
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** Status is the metav1.Status wire shape. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message: string;
  reason: string;
  details?: StatusDetails;
  code: number;
}

/** GroupResource names a resource for messages, e.g. federatedendpoints.federated.mesh. */
export interface GroupResource {
  group: string;
  resource: string;
}

const qualified = (gr: GroupResource): string => (gr.group ? `${gr.resource}.${gr.group}` : gr.resource);

/** StatusError is an error that renders as a Kubernetes Status with an HTTP code. */
export class StatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }

  /** toStatus returns the Status body of this error. */
  toStatus(): Status {
    const s: Status = {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) s.details = this.details;
    return s;
  }
}

/** notFound is 404 NotFound for a named object. */
export const notFound = (gr: GroupResource, name: string): StatusError =>
  new StatusError(404, 'NotFound', `${qualified(gr)} "${name}" not found`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });

/** badRequest is 400 BadRequest (no details, as upstream). */
export const badRequest = (message: string): StatusError => new StatusError(400, 'BadRequest', message);

/** invalid is 422 Invalid with one cause per field problem. */
export function invalid(
  gr: GroupResource & { kind?: string },
  name: string,
  causes: StatusCause[],
): StatusError {
  const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(', ');
  return new StatusError(
    422,
    'Invalid',
    `${gr.kind ?? gr.resource} ${name ? `"${name}" ` : ''}is invalid: ${summary}`,
    {
      ...(name ? { name } : {}), // upstream omits an empty name (e.g. ListOptions)
      group: gr.group,
      kind: gr.kind ?? gr.resource,
      causes,
    },
  );
}

/** unauthorized is 401 Unauthorized. */
export const unauthorized = (message = 'Unauthorized'): StatusError =>
  new StatusError(401, 'Unauthorized', message);

/** forbidden is 403 Forbidden with upstream's message. */
export function forbidden(message: string, gr?: GroupResource, name?: string): StatusError {
  const details: StatusDetails | undefined = gr
    ? { group: gr.group, kind: gr.resource, ...(name ? { name } : {}) }
    : undefined;
  return new StatusError(403, 'Forbidden', message, details);
}

/** methodNotSupported is 405 MethodNotAllowed for a verb a resource does not implement. */
export const methodNotSupported = (gr: GroupResource, verb: string): StatusError =>
  new StatusError(
    405,
    'MethodNotAllowed',
    `${verb} is not supported on resources of kind "${qualified(gr)}"`,
    {
      group: gr.group,
      kind: gr.resource,
    },
  );

/** expired is 410 Expired for a resourceVersion older than the event history. */
export const expired = (message: string): StatusError => new StatusError(410, 'Expired', message);

/** notAcceptable is 406 NotAcceptable, used only when JSON is not acceptable either. */
export const notAcceptable = (accept: string): StatusError =>
  new StatusError(
    406,
    'NotAcceptable',
    `only the following media types are accepted: application/json (got ${accept})`,
  );

/** unsupportedMediaType is 415 for request bodies that are not JSON or YAML. */
export const unsupportedMediaType = (ct: string): StatusError =>
  new StatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml (got ${ct})`,
  );

/** internalError is 500 InternalError; the cause is logged by the caller, never sent. */
export const internalError = (
  message = 'an error on the server has prevented the request from succeeding',
): StatusError => new StatusError(500, 'InternalError', `Internal error occurred: ${message}`);

/** toStatusError passes StatusErrors through and wraps anything else as InternalError. */
export function toStatusError(err: unknown): { error: StatusError; unexpected: boolean } {
  if (err instanceof StatusError) return { error: err, unexpected: false };
  return { error: internalError(), unexpected: true };
}
