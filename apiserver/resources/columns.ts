// columns.ts: Table column helpers shared by the resources: column definitions, kubectl-style
// ages ("5s", "3m", "2d4h") and list cells.
import type { ColumnDefinition } from '../rest/resource.js';

/** column defines a Table column; priority 1 shows only with -o wide. */
export function column(
  name: string,
  description: string,
  priority = 0,
  type: ColumnDefinition['type'] = 'string',
): ColumnDefinition {
  return { name, type, format: '', description, priority };
}

/** STALE_COLUMN is the wide column every federated resource has. */
export const STALE_COLUMN = column(
  'Stale',
  'Whether the source cluster is disconnected (data kept).',
  1,
  'boolean',
);

/** age renders the time since an RFC 3339 timestamp the way kubectl's AGE column does. */
export function age(timestamp: string | undefined, now: number): string {
  if (!timestamp) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
}

/** list renders a string list for a cell: comma-separated, "<none>" when empty. */
export const listCell = (xs: readonly string[] | undefined): string =>
  xs && xs.length > 0 ? xs.join(',') : '<none>';
