// conntrack.ts: which conntrack entries to delete for a plan's filters (`-D -s ADDR`: flows that
// ADDR started; `-D -d ADDR`: flows to ADDR). Every `conntrack -D` walks the kernel's whole
// connection table (about 12 ms at 262,144 buckets, empty or not), so filters are not run one by
// one: the table is listed once per family, the entries matching a filter are picked here, and one
// delete runs per pair of addresses that has such a flow (usually none or a few).
import type { Runner } from '../dataplane/exec.js';

interface Filters {
  src: Set<string>;
  dst: Set<string>;
}

function parseFilters(lines: readonly string[]): Filters {
  const f: Filters = { src: new Set(), dst: new Set() };
  for (const l of lines) {
    const m = /^-D (-s|-d) (\S+)$/.exec(l);
    if (m) f[m[1] === '-s' ? 'src' : 'dst'].add(m[2]!);
  }
  return f;
}

/** pairsToDelete picks from a `conntrack -L` listing the address pairs of flows matching the
 * filters, as `conntrack -R` lines (the original direction's first src= and dst=). */
export function pairsToDelete(listing: string, filters: readonly string[]): string[] {
  const f = parseFilters(filters);
  const out = new Set<string>();
  for (const line of listing.split('\n')) {
    const src = / src=(\S+)/.exec(line)?.[1];
    const dst = / dst=(\S+)/.exec(line)?.[1];
    if (src && dst && (f.src.has(src) || f.dst.has(dst))) out.add(`-D -s ${src} -d ${dst}`);
  }
  return [...out];
}

/** listFlows lists the connection table of the families the filters name. */
export async function listFlows(run: Runner, filters: readonly string[]): Promise<string> {
  const f = parseFilters(filters);
  const addrs = [...f.src, ...f.dst];
  const families = [
    addrs.some((a) => !a.includes(':')) && 'ipv4',
    addrs.some((a) => a.includes(':')) && 'ipv6',
  ];
  const parts: string[] = [];
  for (const fam of families) if (fam) parts.push(await run.conntrack(['-L', '-f', fam]));
  return parts.join('\n');
}
