// result.ts: one diagnose check's outcome and how it prints.

/** Result is one check: OK, WARN (does not fail the run) or FAIL, what is wrong, and the fix. */
export interface Result {
  level: 'OK' | 'WARN' | 'FAIL';
  message: string;
  fix?: string;
}

/** ok, warn and fail build results. */
export const ok = (message: string): Result => ({ level: 'OK', message });
/** warn is a result that needs attention soon but does not fail diagnose. */
export const warn = (message: string, fix?: string): Result => ({ level: 'WARN', message, fix });
/** fail is a broken part of the mesh; diagnose exits 1. */
export const fail = (message: string, fix?: string): Result => ({ level: 'FAIL', message, fix });

/** line renders a result: `[OK] message`, and the fix under a problem. */
export function line(r: Result): string {
  const head = `[${r.level}]`.padEnd(7) + r.message + '\n';
  return r.fix && r.level !== 'OK' ? `${head}       fix: ${r.fix}\n` : head;
}
