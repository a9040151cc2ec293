// types.ts: the wire shapes the generic REST layer handles. Resource-specific shapes live in api/.
import type { ObjectMeta } from '../api/index.js';

export { GROUP, GROUP_VERSION, VERSION } from '../api/index.js';
export type { ObjectMeta } from '../api/index.js';

/** KObject is any Kubernetes object with apiVersion, kind and metadata. */
export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

/** RequestObject is a decoded request body: a KObject whose other fields are not yet validated. */
export type RequestObject = KObject & Record<string, unknown>;
