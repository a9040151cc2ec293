// policybed.ts: the network of the node policy tests, on test/dataplane/testbed.ts. Node n1 holds
// three local pods: db (servers on 5432, 8080 and an echo server on 5433), web and idle (a server on
// 8080); node n2 holds two remote pods, fe and other (servers on 8080). The nodes route each other's
// pod CIDR over the underlay (routed mode), so remote pods and n2 itself (a host endpoint) reach
// n1's pods through its forward hook; same-node traffic is bridged on cni0 and filtered with
// bridge-nf-call-iptables and -ip6tables set to 1 in n1 (they go with the namespace).
import { execFileSync } from 'node:child_process';
import type { PolicyModel } from '../../api/policy.js';
import { PolicyApplier, type PolicyOutcome } from '../../node/policy/apply.js';
import { renderPolicy, type LocalPod } from '../../node/policy/render.js';
import { Testbed, type TestNode } from './testbed.js';

/** Pod is a test pod: its netns and addresses. */
export interface Pod {
  pod: string;
  ip: string;
  ip6: string;
}

/** PolicyBed is the policy test network and n1's applier. */
export interface PolicyBed {
  bed: Testbed;
  n1: TestNode;
  n2: TestNode;
  db: Pod;
  web: Pod;
  idle: Pod;
  fe: Pod;
  other: Pod;
  /** local are n1's pods as fedmesh-node knows them. */
  local: LocalPod[];
  applier: PolicyApplier;
  /** apply renders the model for n1's pods and applies it. */
  apply(model: PolicyModel, opts?: { observe?: boolean }): Promise<PolicyOutcome>;
}

// A connection reset (a client killed, then let in again to answer with RST) must not end it.
const ECHO =
  "require('net').createServer(c => { c.on('error', () => undefined); c.pipe(c); }).listen(5433, '::', () => console.log('up'))";

/** policyBed builds the network (remove it with bed.close()). */
export async function policyBed(): Promise<PolicyBed> {
  const bed = new Testbed();
  try {
    const [n1, n2] = [bed.addNode(1), bed.addNode(2)];
    const db: Pod = { pod: n1.pod, ip: n1.podIP, ip6: n1.podIP6 };
    const fe: Pod = { pod: n2.pod, ip: n2.podIP, ip6: n2.podIP6 };
    const [web, idle, other] = [bed.addPod(n1, 11), bed.addPod(n1, 12), bed.addPod(n2, 11)];
    await n1.run.ip(['route', 'add', n2.podCIDR, 'via', n2.ip]);
    await n2.run.ip(['route', 'add', n1.podCIDR, 'via', n1.ip]);
    execFileSync('ip', [
      ...['netns', 'exec', n1.netns, 'sysctl', '-qw'],
      'net.bridge.bridge-nf-call-iptables=1',
      'net.bridge.bridge-nf-call-ip6tables=1',
    ]);
    for (const port of [5432, 8080]) await bed.serve(db.pod, port);
    for (const p of [idle, fe, other]) await bed.serve(p.pod, 8080);
    const echo = bed.start(db.pod, [process.execPath, '-e', ECHO]);
    await new Promise((r) => echo.stdout!.once('data', r));
    const local = [db, web, idle].map((p) => ({ ips: [p.ip, p.ip6] }));
    const applier = new PolicyApplier(n1.run);
    const apply = (m: PolicyModel, opts?: { observe?: boolean }): Promise<PolicyOutcome> =>
      applier.apply(renderPolicy(m, local), opts);
    return { bed, n1, n2, db, web, idle, fe, other, local, applier, apply };
  } catch (err) {
    bed.close();
    throw err;
  }
}

/** connect opens a TCP connection from netns and returns the address the server saw, 'timeout'
 * (the policy dropped it) or an error code. */
export function connect(netns: string, host: string, port: number, timeoutMs = 1200): string {
  const code = `const c = require('net').connect({ host: '${host}', port: ${port} });
    const t = setTimeout(() => { console.log('timeout'); process.exit(0); }, ${timeoutMs});
    let s = ''; c.on('data', d => s += d); c.on('end', () => { clearTimeout(t); console.log(s.trim()); });
    c.on('error', e => { clearTimeout(t); console.log(e.code); });`;
  return execFileSync('ip', ['netns', 'exec', netns, process.execPath, '-e', code])
    .toString()
    .trim()
    .replace(/^::ffff:/, '');
}

/** sets builds a model's sets from arrays. */
export const sets = (s: Record<string, string[]>): PolicyModel['sets'] =>
  new Map(Object.entries(s).map(([k, v]) => [k, new Set(v)]));
