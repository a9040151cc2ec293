// requestheader.ts: reads the identity kube-apiserver's front proxy puts into X-Remote-* headers.
// Only call userFromHeaders after the proxy's client certificate has been verified.
import type { RequestHeaderSettings } from './authconfig.js';
import type { AuthRequest, UserInfo } from './types.js';

/** HeaderNames are the header names and prefixes that carry a proxied identity. */
export type HeaderNames = Pick<
  RequestHeaderSettings,
  'usernameHeaders' | 'uidHeaders' | 'groupHeaders' | 'extraHeaderPrefixes'
>;

/** DEFAULT_HEADER_NAMES are kube-apiserver's usual names, used to spot spoofing when none are configured. */
export const DEFAULT_HEADER_NAMES: HeaderNames = {
  usernameHeaders: ['X-Remote-User'],
  uidHeaders: ['X-Remote-Uid'],
  groupHeaders: ['X-Remote-Group'],
  extraHeaderPrefixes: ['X-Remote-Extra-'],
};

/** headerValues returns every value of a header (case-insensitive name), in arrival order. */
export function headerValues(req: AuthRequest, name: string): string[] {
  return req.headersDistinct[name.trim().toLowerCase()] ?? [];
}

/** firstValue is the first non-empty first value among headers, as upstream's headerValue. */
function firstValue(req: AuthRequest, names: string[]): string {
  for (const n of names) {
    if (n.trim() === '') continue;
    const v = headerValues(req, n)[0];
    if (v) return v;
  }
  return '';
}

/** unescapeExtraKey percent-decodes an extra key, keeping it as is when malformed (as upstream). */
export function unescapeExtraKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

function extraFrom(req: AuthRequest, prefixes: string[]): Record<string, string[]> {
  const extra: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    for (const p of prefixes) {
      const prefix = p.trim().toLowerCase();
      if (prefix === '' || !name.toLowerCase().startsWith(prefix)) continue;
      const key = unescapeExtraKey(name.toLowerCase().slice(prefix.length));
      (extra[key] ??= []).push(...(values ?? []));
    }
  }
  return extra;
}

/** userFromHeaders builds the proxied user; undefined when no username header has a value. */
export function userFromHeaders(req: AuthRequest, names: HeaderNames): UserInfo | undefined {
  const username = firstValue(req, names.usernameHeaders);
  if (!username) return undefined;
  // Every value of every group header: repeated headers stay apart and commas are not split.
  const groups = names.groupHeaders
    .flatMap((h) => (h.trim() ? headerValues(req, h) : []))
    .filter((g) => g !== '');
  const user: UserInfo = { username, groups, extra: extraFrom(req, names.extraHeaderPrefixes) };
  const uid = firstValue(req, names.uidHeaders);
  if (uid) user.uid = uid;
  return user;
}

/** identityHeadersPresent lists the identity headers a request carries (names only, never values). */
export function identityHeadersPresent(req: AuthRequest, names: HeaderNames): string[] {
  const exact = new Set(
    [...names.usernameHeaders, ...names.uidHeaders, ...names.groupHeaders].map((h) => h.trim().toLowerCase()),
  );
  const prefixes = names.extraHeaderPrefixes.map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
  return Object.keys(req.headersDistinct)
    .filter((n) => exact.has(n.toLowerCase()) || prefixes.some((p) => n.toLowerCase().startsWith(p)))
    .sort();
}
