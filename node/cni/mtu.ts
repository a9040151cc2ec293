// mtu.ts: sets and reads the MTU of a pod's interfaces: the pod side inside its netns (CNI_NETNS is
// a path: entered with nsenter), the host side of its veth in the caller's netns. The bridge is
// left alone (its MTU follows its smallest port).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ResultInterface } from './spec.js';

const run = promisify(execFile);

/** setPodMTU sets mtu on the pod interface and on the host-side veths of the result. */
export async function setPodMTU(
  netns: string,
  ifname: string,
  mtu: number,
  ifs: ResultInterface[],
): Promise<void> {
  await run('nsenter', [`--net=${netns}`, 'ip', 'link', 'set', 'dev', ifname, 'mtu', String(mtu)]);
  const hostSide = new Set(ifs.filter((i) => !i.sandbox).map((i) => i.name));
  if (hostSide.size === 0) return;
  const { stdout } = await run('ip', ['-j', 'link', 'show', 'type', 'veth']);
  const veths = (JSON.parse(stdout || '[]') as { ifname: string }[]).map((l) => l.ifname.split('@')[0]!);
  const lines = veths.filter((v) => hostSide.has(v)).map((v) => `link set dev ${v} mtu ${mtu}`);
  if (lines.length === 0) return;
  await new Promise<void>((resolve, reject) => {
    const child = execFile('ip', ['-batch', '-'], (err, _o, stderr) =>
      err ? reject(new Error(stderr.trim() || err.message)) : resolve(),
    );
    child.stdin?.end(lines.join('\n') + '\n');
  });
}

/** podMTU reads the MTU of the pod interface. */
export async function podMTU(netns: string, ifname: string): Promise<number> {
  const { stdout } = await run('nsenter', [`--net=${netns}`, 'ip', '-j', 'link', 'show', 'dev', ifname]);
  const [link] = JSON.parse(stdout) as { mtu: number }[];
  if (!link) throw new Error(`no interface ${ifname} in ${netns}`);
  return link.mtu;
}
