// log.ts: a structured logger writing one JSON object per line to stderr. Fields must never hold
// credentials; callers pass identities and paths, not headers or tokens.

/** Level orders log severities. */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Logger is what every fedmesh component logs through (passed in, never a global). */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** jsonLogger returns a Logger writing JSON lines at or above level to out. */
export function jsonLogger(
  level: Level = 'info',
  out: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
  const at = (lv: Level) => (msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lv] < ORDER[level]) return;
    out(JSON.stringify({ ts: new Date().toISOString(), level: lv, msg, ...fields }) + '\n');
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
