// request-info.ts: turns a request path, method and query into Kubernetes request attributes
// (verb, namespace, resource, name), as apiserver's RequestInfoFactory does for one group.
import { badRequest } from '../status.js';
import { GROUP, VERSION } from '../types.js';

/** RequestInfo describes a resource request under /apis/GROUP/VERSION. */
export interface RequestInfo {
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

const PREFIX = `/apis/${GROUP}/${VERSION}/`;

/** isResourcePath reports whether path addresses a resource of the served group version. */
export function isResourcePath(path: string): boolean {
  return path.startsWith(PREFIX) && path.length > PREFIX.length;
}

// decodePart decodes one percent-encoded path segment; a malformed escape is the client's error.
function decodePart(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`the path segment ${JSON.stringify(segment)} is not valid percent-encoding`);
  }
}

/** parseRequestInfo parses a resource request; path must satisfy isResourcePath. */
export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const parts = path.slice(PREFIX.length).split('/').filter(Boolean).map(decodePart);
  let namespace: string | undefined;
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    namespace = parts[1];
    parts.splice(0, 2);
  }
  const [resource, name, subresource, ...rest] = parts;
  if (!resource || rest.length > 0)
    throw badRequest(`the server could not find the requested resource (path ${path})`);
  const watch = query.get('watch') === 'true' || query.get('watch') === '1';
  const verb = verbFor(method, name !== undefined, watch);
  const info: RequestInfo = { verb, resource };
  if (namespace !== undefined) info.namespace = namespace;
  if (name !== undefined) info.name = name;
  if (subresource !== undefined) info.subresource = subresource;
  // A list or watch narrowed to one name by field selector is authorized as that name (RBAC resourceNames).
  if ((verb === 'list' || verb === 'watch') && !info.name) {
    const byName = nameFromFieldSelector(query.get('fieldSelector') ?? '');
    if (byName) info.name = byName;
  }
  return info;
}

function verbFor(method: string, named: boolean, watch: boolean): RequestInfo['verb'] {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (watch) return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      throw badRequest(`unsupported method ${method}`);
  }
}

function nameFromFieldSelector(fs: string): string | undefined {
  for (const term of fs.split(',')) {
    const m = /^\s*metadata\.name\s*==?\s*(.+?)\s*$/.exec(term);
    if (m) return m[1];
  }
  return undefined;
}
