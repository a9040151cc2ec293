// types.ts: identities and authorization attributes shared by authentication, authorization and
// the REST layer.

/** UserInfo is an authenticated user, as Kubernetes defines it. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra: Record<string, string[]>;
}

/** ResourceAttributes describe a resource request for authorization (SubjectAccessReview). */
export interface ResourceAttributes {
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  /** Raw selectors of list/watch requests, passed on for selector-aware authorization. */
  labelSelector?: string;
  fieldSelector?: string;
}

/** NonResourceAttributes describe a non-resource request (/healthz, /openapi/v3, ...). */
export interface NonResourceAttributes {
  verb: string;
  path: string;
}

/** Attributes is what an authorizer decides on. */
export type Attributes =
  | { user: UserInfo; resource: ResourceAttributes; nonResource?: undefined }
  | { user: UserInfo; nonResource: NonResourceAttributes; resource?: undefined };

/** Decision is an authorizer's answer; reason goes into the Forbidden message. */
export interface Decision {
  allowed: boolean;
  reason?: string;
}

/** Authenticator identifies the user of a request, or returns undefined for no credentials. */
export interface Authenticator {
  /** authenticate throws a StatusError (401) for bad credentials. */
  authenticate(req: AuthRequest): Promise<UserInfo | undefined>;
}

/** Authorizer decides whether a user may do something. */
export interface Authorizer {
  authorize(attrs: Attributes): Promise<Decision>;
}

/** AuthRequest is the part of an HTTP request authentication reads. */
export interface AuthRequest {
  /** Every value of every header, lower-cased names, repeated headers kept apart. */
  headersDistinct: Record<string, string[] | undefined>;
  /** The verified-or-not TLS peer certificate chain, DER, leaf first; empty when none. */
  peerCertificates: Buffer[];
}

/** AuthLogger is the structured logger auth components write to; fields never hold credentials. */
export interface AuthLogger {
  debug?(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** AuthMetric is a counter callback: name (e.g. "authn_total") and labels, incremented by one. */
export type AuthMetric = (name: string, labels: Record<string, string>) => void;
