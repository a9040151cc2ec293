// negotiate.ts: picks the response form from the Accept header: the plain object (JSON), a
// meta.k8s.io Table, or PartialObjectMetadata(List) in JSON or protobuf. Forms we cannot produce
// are skipped, so a request that also accepts application/json never gets 406.
import { notAcceptable } from '../status.js';

/** Form is the negotiated response form. */
export type Form =
  | { kind: 'object' }
  | { kind: 'table'; version: 'v1' | 'v1beta1' }
  | { kind: 'partial'; version: 'v1' | 'v1beta1'; protobuf: boolean };

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const part of header.split(',')) {
    const [type, ...rawParams] = part.split(';').map((s) => s.trim());
    if (!type) continue;
    const params = new Map<string, string>();
    for (const p of rawParams) {
      const eq = p.indexOf('=');
      if (eq > 0)
        params.set(
          p.slice(0, eq).trim().toLowerCase(),
          p
            .slice(eq + 1)
            .trim()
            .replace(/^"|"$/g, ''),
        );
    }
    const q = params.has('q') ? Number(params.get('q')) : 1;
    ranges.push({ type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 0 });
  }
  // Stable sort by q, so equal-weight ranges keep the client's order.
  return ranges.filter((r) => r.q > 0).sort((a, b) => b.q - a.q);
}

function formOf(r: MediaRange, listing: boolean, protobufOK: boolean): Form | undefined {
  const as = r.params.get('as');
  const json = r.type === 'application/json' || r.type === 'application/*' || r.type === '*/*';
  const proto = protobufOK && r.type === 'application/vnd.kubernetes.protobuf';
  if (!as) return json ? { kind: 'object' } : undefined;
  if (r.params.get('g') !== 'meta.k8s.io') return undefined;
  const v = r.params.get('v');
  if (v !== 'v1' && v !== 'v1beta1') return undefined;
  if (as === 'Table' && json) return { kind: 'table', version: v };
  const partial = listing ? 'PartialObjectMetadataList' : 'PartialObjectMetadata';
  if (as === partial && (json || proto)) return { kind: 'partial', version: v, protobuf: proto };
  return undefined;
}

/**
 * negotiate returns the first producible form in the Accept header (empty means JSON). listing
 * selects the List variants of partial metadata; protobufOK is false for watch streams, which
 * are served as JSON frames only.
 */
export function negotiate(accept: string | undefined, listing: boolean, protobufOK = true): Form {
  if (!accept || !accept.trim()) return { kind: 'object' };
  for (const r of parseAccept(accept)) {
    const f = formOf(r, listing, protobufOK);
    if (f) return f;
  }
  throw notAcceptable(accept);
}
