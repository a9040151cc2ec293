#!/usr/bin/env node
// main.ts: the fedmesh-apiserver command: options, complete, validate, then run until SIGTERM.
import { startServer } from './app.js';
import { jsonLogger } from './log.js';
import { USAGE, completeOptions, parseOptions, validateOptions } from './options.js';

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseOptions(argv);
  } catch (err) {
    console.error(`error: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (parsed === 'help') {
    console.log(USAGE);
    return 0;
  }
  const errs = validateOptions(parsed);
  if (errs.length > 0) {
    console.error(errs.map((e) => `error: ${e}`).join('\n'));
    return 2;
  }
  const log = jsonLogger(parsed.logLevel);
  const server = await startServer(completeOptions(parsed), log);
  await new Promise<void>((resolve) => {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => resolve());
  });
  log.info('shutting down');
  await server.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`error: ${(err as Error)?.message ?? String(err)}`);
    process.exit(1);
  },
);
