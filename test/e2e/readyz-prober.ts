// readyz-prober.ts: polls a server's /readyz from a separate process, as a kubelet probe would, so
// a blocked event loop in the server under test shows as slow or missing answers.
import { spawn } from 'node:child_process';

/** ProbeResult is one /readyz poll: its HTTP status (0 on error) and how long the answer took. */
export interface ProbeResult {
  code: number;
  ms: number;
}

/** Prober is a running poller; stop() ends it and returns every poll's result. */
export interface Prober {
  stop(): Promise<ProbeResult[]>;
}

// The child polls every 20 ms over one kept-alive connection and prints the results when its
// stdin closes. Kept in plain JavaScript so it runs without the TypeScript loader.
const SCRIPT = `
const https = require('node:https');
const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
const out = [];
let stopping = false;
process.stdin.on('data', () => {});
process.stdin.on('end', () => { stopping = true; });
function poll() {
  if (stopping) return process.stdout.write(JSON.stringify(out), () => process.exit(0));
  if (out.length === 1) process.stderr.write('polling\\n');
  const t = process.hrtime.bigint();
  const done = (code) => { out.push({ code, ms: Number(process.hrtime.bigint() - t) / 1e6 }); setTimeout(poll, 20); };
  https.get({ host: '127.0.0.1', port: Number(process.argv[1]), path: '/readyz', agent, rejectUnauthorized: false },
    (res) => { res.resume(); res.on('end', () => done(res.statusCode)); }).on('error', () => done(0));
}
poll();
`;

/** startProber starts polling https://127.0.0.1:port/readyz; it resolves once the first poll is done. */
export async function startProber(port: number): Promise<Prober> {
  const child = spawn(process.execPath, ['-e', SCRIPT, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => chunks.push(d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stderr.once('data', () => resolve());
    void exited.then(() => reject(new Error('the /readyz prober exited before its first poll')));
  });
  return {
    async stop() {
      child.stdin.end();
      await exited;
      return JSON.parse(Buffer.concat(chunks).toString() || '[]') as ProbeResult[];
    },
  };
}
