// main.ts: the fedmesh-cni executable. Called by a container runtime (CNI_COMMAND set) it is the
// chained plugin; called by hand or by the DaemonSet's init container it installs itself:
//   fedmesh-cni install --conf-dir DIR [--bin-dir DIR [--binary PATH]] [--socket PATH] [--mtu N]
// The standalone executable (scripts/build-cni.mjs) copies itself to --bin-dir unless --binary is set.
//   fedmesh-cni uninstall --conf-dir DIR
import { readFileSync } from 'node:fs';
import { isSea } from 'node:sea';
import { parseArgs } from 'node:util';
import { install, uninstall } from './install.js';
import { handle } from './plugin.js';
import { CniError, Codes, LATEST, cniEnv } from './spec.js';

async function plugin(): Promise<number> {
  let stdin = '';
  try {
    stdin = readFileSync(0, 'utf8');
    process.stdout.write(await handle(cniEnv(process.env), stdin));
    return 0;
  } catch (err) {
    const e = err instanceof CniError ? err : new CniError(Codes.ioFailure, (err as Error).message);
    let v = LATEST;
    try {
      v = (JSON.parse(stdin) as { cniVersion?: string }).cniVersion ?? LATEST;
    } catch {
      // undecodable configuration: answer in the latest version
    }
    const out: Record<string, unknown> = { cniVersion: v, code: e.code, msg: e.message };
    if (e.details) out.details = e.details;
    process.stdout.write(JSON.stringify(out));
    return 1;
  }
}

function installer(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      'conf-dir': { type: 'string', default: '/etc/cni/net.d' },
      'bin-dir': { type: 'string' },
      binary: { type: 'string' },
      socket: { type: 'string' },
      mtu: { type: 'string' },
    },
  });
  const confDir = values['conf-dir'];
  if (positionals[0] === 'install') {
    // The standalone executable installs itself; a script would need Node on the host.
    const binary = values.binary ?? (isSea() ? process.execPath : undefined);
    if (binary && values['bin-dir'] && readFileSync(binary).subarray(0, 2).toString() === '#!')
      console.error(
        `fedmesh-cni: warning: ${binary} is a script and needs node on the host; install the standalone executable (npm run build:cni)`,
      );
    const file = install({
      confDir,
      binDir: values['bin-dir'],
      binary,
      socket: values.socket,
      mtu: values.mtu ? Number(values.mtu) : undefined,
    });
    console.log(`fedmesh-cni: chained into ${file}`);
    return 0;
  }
  if (positionals[0] === 'uninstall') {
    console.log(`fedmesh-cni: removed from ${uninstall(confDir)}`);
    return 0;
  }
  console.error(
    'usage: fedmesh-cni install|uninstall [--conf-dir DIR] [--bin-dir DIR --binary PATH] [--socket PATH] [--mtu N]\n' +
      '(with CNI_COMMAND set, fedmesh-cni is a CNI plugin)',
  );
  return 2;
}

/** main runs fedmesh-cni and returns its exit code. */
export async function main(argv: string[]): Promise<number> {
  if (process.env.CNI_COMMAND) return plugin();
  try {
    return installer(argv);
  } catch (err) {
    console.error(`fedmesh-cni: ${(err as Error).message}`);
    return 1;
  }
}
