// duration.ts: Go-style durations as kubectl takes them (8760h, 2m, 1h30m, 90s).
import { usageError } from '../cli/errors.js';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * parseDuration reads a duration such as 8760h, 1m30s or 90 (seconds) into milliseconds; with
 * positive, zero is refused too.
 */
export function parseDuration(v: string, flag: string, positive = false): number {
  if (/^\d+$/.test(v) && (!positive || Number(v) > 0)) return Number(v) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/y;
  let ms = 0;
  let i = 0;
  while (i < v.length) {
    re.lastIndex = i;
    const m = re.exec(v);
    if (!m) break;
    ms += Number(m[1]) * UNIT_MS[m[2]!]!;
    i = re.lastIndex;
  }
  if (v === '' || i !== v.length || (positive && ms <= 0))
    throw usageError(
      `${flag}: ${JSON.stringify(v)} is not a${positive ? ' positive' : ''} duration such as 2m, 90s or 8760h`,
    );
  return ms;
}

/** formatDuration prints milliseconds the short way kubectl prints ages (45s, 3m, 5h, 365d). */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}
