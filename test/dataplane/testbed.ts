// testbed.ts: network namespaces for dataplane tests, as root. An underlay switch (a bridge in its
// own netns) joins "nodes" (one netns each: eth0 on 198.19.<slot>.0/24, a pod bridge cni0, pods in
// their own netns with IPv4 and IPv6 addresses). Names carry the test process id, so a later run
// removes what a killed run left; close() removes everything, and so does process exit. No kernel
// setting outside these namespaces is changed; the host only gets blackhole routes for the test
// CIDRs (removed on close), so nothing of the test can leave the machine.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { Runner } from '../../node/dataplane/exec.js';

const PREFIX = 'fmdp';

/** TestNode is one node netns with its pod. */
export interface TestNode {
  name: string;
  netns: string;
  /** Underlay address on eth0. */
  ip: string;
  podCIDR: string;
  podCIDR6: string;
  /** pod is the pod netns; podIP/podIP6 its addresses. */
  pod: string;
  podIP: string;
  podIP6: string;
  run: Runner;
}

const sh = (cmd: string, args: string[], input?: string): string =>
  execFileSync(cmd, args, { input: input ?? '', stdio: ['pipe', 'pipe', 'pipe'] }).toString();

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Testbed is a set of test namespaces. */
export class Testbed {
  readonly tag: string;
  readonly slot: number;
  readonly underlay: string;
  readonly nodes: TestNode[] = [];
  private readonly children: ChildProcess[] = [];
  private closed = false;
  private readonly onExit = (): void => this.closeSync();

  constructor() {
    sweep();
    this.tag = `${PREFIX}${process.pid}`;
    this.slot = 100 + (process.pid % 100);
    this.underlay = `${this.tag}-ul`;
    process.once('exit', this.onExit);
    sh('ip', ['netns', 'add', this.underlay]);
    ip(this.underlay, [
      'link set lo up',
      'link add br0 type bridge',
      'link set br0 up',
      `addr add ${this.hostIP(254)}/24 dev br0`,
    ]);
    sh('ip', ['-batch', '-'], this.hostRoutes('replace').join('\n') + '\n');
  }

  /** hostIP is an underlay address. */
  hostIP(n: number): string {
    return `198.19.${this.slot}.${n}`;
  }

  /** addNode creates node n (1-based): eth0 on the underlay, cni0 and one pod. */
  addNode(n: number): TestNode {
    const netns = `${this.tag}-n${n}`;
    const pod = `${this.tag}-p${n}`;
    const podCIDR = `10.${this.slot}.${n}.0/24`;
    const podCIDR6 = `fd00:${this.slot}:${n}::/64`;
    sh('ip', ['netns', 'add', netns]);
    sh('ip', ['netns', 'add', pod]);
    ip(this.underlay, [
      `link add u${n} type veth peer name eth0 netns ${netns}`,
      `link set u${n} master br0 up`,
    ]);
    sh('ip', [
      'netns',
      'exec',
      netns,
      'sysctl',
      '-qw',
      'net.ipv4.ip_forward=1',
      'net.ipv6.conf.all.forwarding=1',
    ]);
    ip(netns, [
      'link set lo up',
      `addr add ${this.hostIP(n)}/24 dev eth0`,
      'link set eth0 up',
      'link add cni0 type bridge',
      `addr add 10.${this.slot}.${n}.1/24 dev cni0`,
      `addr add fd00:${this.slot}:${n}::1/64 dev cni0 nodad`,
      'link set cni0 up',
      `link add veth0 type veth peer name eth0 netns ${pod}`,
      'link set veth0 master cni0 up',
    ]);
    ip(pod, [
      'link set lo up',
      `addr add 10.${this.slot}.${n}.10/24 dev eth0`,
      `addr add fd00:${this.slot}:${n}::10/64 dev eth0 nodad`,
      'link set eth0 up',
      `route add default via 10.${this.slot}.${n}.1`,
      `route add default via fd00:${this.slot}:${n}::1`,
    ]);
    const node: TestNode = {
      name: `n${n}`,
      netns,
      ip: this.hostIP(n),
      podCIDR,
      podCIDR6,
      pod,
      podIP: `10.${this.slot}.${n}.10`,
      podIP6: `fd00:${this.slot}:${n}::10`,
      run: new Runner(netns),
    };
    this.nodes.push(node);
    return node;
  }

  /** addPod adds pod k (2-254) to node n's bridge and returns its netns and addresses. */
  addPod(n: TestNode, k: number): { pod: string; ip: string; ip6: string } {
    const pod = `${n.pod}-${k}`;
    const prefix = n.podCIDR.replace(/\.0\/24$/, '');
    const prefix6 = n.podCIDR6.replace(/::\/64$/, '');
    sh('ip', ['netns', 'add', pod]);
    ip(n.netns, [
      `link add veth${k} type veth peer name eth0 netns ${pod}`,
      `link set veth${k} master cni0 up`,
    ]);
    ip(pod, [
      'link set lo up',
      `addr add ${prefix}.${k}/24 dev eth0`,
      `addr add ${prefix6}::${k}/64 dev eth0 nodad`,
      'link set eth0 up',
      `route add default via ${prefix}.1`,
      `route add default via ${prefix6}::1`,
    ]);
    return { pod, ip: `${prefix}.${k}`, ip6: `${prefix6}::${k}` };
  }

  /** serve starts a TCP server in netns that answers each connection with the peer's address. */
  async serve(netns: string, port: number): Promise<void> {
    const code = `require('net').createServer(c => c.end(c.remoteAddress + '\\n')).listen(${port}, '::', () => console.log('up'))`;
    const child = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', code], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (c) => reject(new Error(`server in ${netns} exited ${c}`)));
    });
  }

  /** start runs a long-lived command in netns (killed on close). */
  start(netns: string, args: string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', netns, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.children.push(child);
    return child;
  }

  /** peerSeen connects from netns to host:port and returns the address the server saw. */
  peerSeen(netns: string, host: string, port: number): string {
    const code = `const c = require('net').connect({ host: '${host}', port: ${port}, timeout: 3000 });
      let s = ''; c.on('data', d => s += d); c.on('end', () => console.log(s.trim()));
      c.on('timeout', () => { console.log('timeout'); process.exit(1); }); c.on('error', e => { console.log(e.code); process.exit(1); });`;
    try {
      return sh('ip', ['netns', 'exec', netns, process.execPath, '-e', code])
        .trim()
        .replace(/^::ffff:/, '');
    } catch (err) {
      return `failed: ${String((err as { stdout?: Buffer }).stdout ?? err)}`.trim();
    }
  }

  /** close removes every namespace, process and host route of the testbed. */
  close(): void {
    this.closeSync();
  }

  /** leftovers lists what of this testbed is still there (empty after close). */
  leftovers(): string[] {
    return [
      ...leftoversOf(this.tag, this.slot),
      ...this.children
        .filter((c) => c.exitCode === null && c.signalCode === null)
        .map((c) => `process ${c.pid}`),
    ];
  }

  private hostRoutes(op: 'replace' | 'del'): string[] {
    return hostRoutes(this.slot, op);
  }

  private closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    process.removeListener('exit', this.onExit);
    for (const c of this.children) c.kill('SIGKILL');
    removeNamespaces(this.tag);
    try {
      sh('ip', ['-force', '-batch', '-'], this.hostRoutes('del').join('\n') + '\n');
    } catch {
      // already gone
    }
  }
}

// hostRoutes are the blackhole routes of a slot in the host netns.
function hostRoutes(slot: number, op: 'replace' | 'del'): string[] {
  return [`198.19.${slot}.0/24`, `10.${slot}.0.0/16`, `fd00:${slot}::/32`].map(
    (c) => `route ${op} blackhole ${c} metric ${4000 + slot}`,
  );
}

function ip(netns: string, lines: string[]): void {
  sh('ip', ['-n', netns, '-batch', '-'], lines.join('\n') + '\n');
}

function removeNamespaces(tag: string): void {
  const mine = readdirSync('/run/netns').filter((n) => n.startsWith(`${tag}-`));
  for (const ns of mine) {
    const pids = sh('ip', ['netns', 'pids', ns]).split('\n').filter(Boolean);
    for (const p of pids) {
      try {
        process.kill(Number(p), 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
  }
  for (const ns of mine) sh('ip', ['netns', 'del', ns]);
}

/** leftoversOf lists the namespaces of testbed tag, the processes in them and the host routes of slot. */
export function leftoversOf(tag: string, slot: number): string[] {
  const out: string[] = [];
  for (const ns of readdirSync('/run/netns').filter((n) => n.startsWith(`${tag}-`))) {
    out.push(`netns ${ns}`);
    for (const p of sh('ip', ['netns', 'pids', ns]).split('\n').filter(Boolean))
      out.push(`process ${p} in ${ns}`);
  }
  const routes =
    sh('ip', ['-6', 'route', 'show', 'type', 'blackhole']) + sh('ip', ['route', 'show', 'type', 'blackhole']);
  for (const line of routes.split('\n'))
    if (line.includes(`metric ${4000 + slot}`)) out.push(`host route ${line.trim()}`);
  return out;
}

// sweep removes the namespaces of testbeds whose process is gone (a run killed by SIGKILL).
function sweep(): void {
  let names: string[];
  try {
    names = readdirSync('/run/netns');
  } catch {
    return;
  }
  const tags = new Set(names.map((n) => /^fmdp(\d+)-/.exec(n)?.[1]).filter((p): p is string => !!p));
  for (const pid of tags) {
    if (alive(Number(pid))) continue;
    removeNamespaces(`${PREFIX}${pid}`);
    try {
      sh('ip', ['-force', '-batch', '-'], hostRoutes(100 + (Number(pid) % 100), 'del').join('\n') + '\n');
    } catch {
      // already gone
    }
  }
}
