// main.ts: entry of kubectl-mesh (bin/kubectl-mesh calls run). Commands register in commands/.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { IO } from './cli/command.js';
import { CliError } from './cli/errors.js';
import { dispatch } from './cli/router.js';
import { COMPLETE, complete } from './commands/completion/index.js';
import { GROUPS } from './commands/index.js';

/** run executes `kubectl mesh ARGV...` and returns the exit code; io defaults to the process's streams. */
export async function run(argv: string[], io: IO = processIO()): Promise<number> {
  // Completion sees partial words (`--kub`, a bare `--`), which the strict flag parser rejects.
  if (argv[0] === COMPLETE) return complete(GROUPS, argv.slice(1), io);
  return dispatch(GROUPS, argv, io);
}

/** processIO is the real process's stdin, stdout, stderr and files. */
export function processIO(): IO {
  return {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s),
    stdin: () => lines(process.stdin),
    readFile: (path) => lines(openFile(path)),
  };
}

function openFile(path: string): NodeJS.ReadableStream {
  const s = createReadStream(path, 'utf8');
  // Surface a missing file as a CliError when the first line is read.
  s.on('error', () => undefined);
  return s;
}

async function* lines(stream: NodeJS.ReadableStream): AsyncIterable<string> {
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT')
      throw new CliError('ENOENT', `cannot read ${err.path ?? 'input'}: no such file`);
    throw e;
  }
}
