// errors.ts: the plugin's errors, rendered in one place: a message, then the next step to try.

/** ErrorCode names a class of failure; each has one next-step text in NEXT_STEPS. */
export type ErrorCode =
  | 'EUSAGE'
  | 'EINVALID'
  | 'ENOENT'
  | 'ENOTBUILT'
  | 'EINTERNAL'
  | 'EKUBECONFIG'
  | 'EUNREACHABLE'
  | 'ESERVER'
  | 'ETIMEOUT';

const NEXT_STEPS: Record<ErrorCode, string> = {
  EUSAGE: "See 'kubectl mesh {command} --help' for usage.",
  EINVALID: "Fix the input; 'kubectl mesh selector --help' describes the selector language.",
  ENOENT: 'Check the path, or pass - to read standard input.',
  ENOTBUILT: 'Run `npm run build` in the fedmesh checkout, then try again.',
  EINTERNAL: 'This is a bug in kubectl-mesh; please report it with the command you ran.',
  EKUBECONFIG: 'Check --kubeconfig, $KUBECONFIG and --context (`kubectl config get-contexts`).',
  EUNREACHABLE: 'Check that the cluster is up: `kubectl cluster-info`.',
  ESERVER: 'Run `kubectl mesh diagnose` to check the mesh installation and your permissions.',
  ETIMEOUT: 'Run `kubectl mesh diagnose` to see what is not ready.',
};

/** CliError is an expected failure: its message goes to stderr with the next step, exit code 1. */
export class CliError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  /** next replaces the code's generic next step when the failure knows a better one. */
  readonly next: string | undefined;

  constructor(code: ErrorCode, message: string, detail?: string, next?: string) {
    super(message);
    this.name = 'CliError';
    this.code = code;
    this.detail = detail;
    this.next = next;
  }
}

/** usageError is a CliError for bad arguments or flags. */
export function usageError(message: string): CliError {
  return new CliError('EUSAGE', message);
}

/** renderError formats any error for stderr: "error: ...", details, then the next step. */
export function renderError(err: unknown, command: string): string {
  if (err instanceof CliError) {
    const next = err.next ?? NEXT_STEPS[err.code].replace('{command}', command);
    // API errors keep kubectl's own form, `Error from server (Reason): message`.
    const first = err.code === 'ESERVER' ? err.message : `error: ${err.message}`;
    return [first, ...(err.detail ? [err.detail] : []), next].join('\n') + '\n';
  }
  const msg = err instanceof Error ? err.message : String(err);
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `error: an API request timed out (--request-timeout)\n${NEXT_STEPS.EUNREACHABLE}\n`;
  }
  if (msg.includes('npm run build')) return `error: ${msg}\n${NEXT_STEPS.ENOTBUILT}\n`;
  return `error: ${msg}\n${NEXT_STEPS.EINTERNAL}\n`;
}
