// detached.ts: `npm run demo -- up|down|status`. up starts the demo in the background and follows
// it (build progress included) for as long as it makes progress; down stops it and everything it
// started, builds included; status says what runs.
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { groupAlive, killProcessGroup } from './build.js';
import { printReady, shown } from './ready.js';
import {
  alive,
  clearState,
  hasLeftovers,
  logFile,
  readState,
  runningState,
  type DemoState,
} from './state.js';

const log = (msg: string): void => console.error(`demo: ${msg}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** stallMs is how long `up` waits without any progress before it gives up ($FEDMESH_DEMO_STALL_SECONDS, default 300). */
const stallMs = (): number => Number(process.env.FEDMESH_DEMO_STALL_SECONDS ?? 300) * 1000;

/** up starts `run` detached (or joins one that is starting) and returns once it reports ready. */
export async function up(clusterNames: string[], script: string): Promise<number> {
  const running = runningState();
  if (running?.phase === 'ready') {
    log(`already running (pid ${running.pid})`);
    printReady(running.clusters, (running.nodes ?? []).length > 0);
    return 0;
  }
  if (running?.phase === 'stopping') {
    log(`a demo is stopping (pid ${running.pid}); try again in a moment, or run: npm run demo -- down`);
    return 1;
  }
  let pid = running?.pid;
  let offset = 0;
  if (pid === undefined) {
    if (hasLeftovers()) clearState(clusterNames);
    const out = openSync(logFile(), 'w');
    const child = spawn(process.execPath, [script, 'run'], { detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    child.unref();
    pid = child.pid!;
    log(`starting in the background (pid ${pid}, log ${shown(logFile())}); following it here`);
  } else {
    log(`a demo is starting (pid ${pid}); following it here`);
    offset = -1; // relay only what comes next
  }
  return follow(pid, offset, clusterNames);
}

// follow relays the demo's log until it is ready, has stopped, or makes no progress for stallMs.
async function follow(pid: number, startOffset: number, clusterNames: string[]): Promise<number> {
  const relay = new LogRelay(logFile(), startOffset);
  let progressAt = Date.now();
  for (;;) {
    await sleep(250);
    if (relay.relay()) progressAt = Date.now();
    const s = readState();
    if (s?.pid === pid && s.phase === 'ready') {
      printReady(s.clusters, (s.nodes ?? []).length > 0);
      return 0;
    }
    if (!alive(pid)) {
      relay.relay();
      return failed(`the demo stopped before it was ready${s?.error ? `: ${s.error}` : ''}`, clusterNames);
    }
    const idle = Date.now() - progressAt;
    if (idle > stallMs()) {
      const doing = s?.build?.what ?? (s?.phase === 'preparing' ? 'preparing' : 'starting the clusters');
      return failed(`no progress for ${Math.round(idle / 1000)} s while ${doing}`, clusterNames);
    }
  }
}

async function failed(why: string, clusterNames: string[]): Promise<number> {
  log(`failed: ${why}`);
  log(`the whole log is in ${shown(logFile())}`);
  await down(clusterNames);
  log(
    'fix what the log shows, then run `npm run demo -- up` again (or `npm run demo` to watch it in the ' +
      'foreground); `npm run controlplane` builds the control-plane binaries alone',
  );
  return 1;
}

/** LogRelay copies new complete lines of the demo's log to stderr, up to its ready message. */
class LogRelay {
  private done = false;
  private rest = '';
  constructor(
    private readonly file: string,
    private offset: number,
  ) {}

  /** relay prints what was appended since the last call; true when anything was. */
  relay(): boolean {
    const chunk = this.read();
    if (chunk.length === 0) return false;
    const lines = (this.rest + chunk).split('\n');
    this.rest = lines.pop()!;
    for (const l of lines) {
      if (l.startsWith('fedmesh demo is ready')) this.done = true; // up prints it from the state
      if (!this.done) process.stderr.write(l + '\n');
    }
    return true;
  }

  private read(): string {
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch {
      return '';
    }
    try {
      const buf = Buffer.alloc(1 << 16);
      if (this.offset < 0) this.offset = fstatSync(fd).size; // skip what is there
      const n = readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += n;
      return buf.subarray(0, n).toString();
    } finally {
      closeSync(fd);
    }
  }
}

/** down stops a running demo and everything it started (a build included) and removes its files. */
export async function down(clusterNames: string[]): Promise<number> {
  const s = readState();
  if (!s || !alive(s.pid)) {
    await stopBuild(s);
    if (hasLeftovers()) clearState(clusterNames);
    log('no demo is running');
    return 0;
  }
  log(`stopping the demo (pid ${s.pid}${s.build ? `, ${s.build.what}` : ''})`);
  process.kill(s.pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (alive(s.pid) && Date.now() < deadline) await sleep(100);
  if (alive(s.pid)) {
    log('the demo did not stop within 60 s; killing it (its processes die with it)');
    process.kill(s.pid, 'SIGKILL');
  }
  // The state as it was last recorded: a build started after the first read is stopped too.
  await stopBuild(readState() ?? s);
  clearState(clusterNames);
  log('stopped; nothing left running');
  return 0;
}

// stopBuild kills the process group of a preparation step the demo recorded, and waits until it is gone.
async function stopBuild(s: DemoState | undefined): Promise<void> {
  const pgid = s?.build?.pgid;
  if (pgid === undefined) return;
  killProcessGroup(pgid);
  const deadline = Date.now() + 10_000;
  while (groupAlive(pgid) && Date.now() < deadline) await sleep(50);
}

/** status prints whether a demo runs and where its clusters are. */
export async function status(): Promise<number> {
  const s = runningState();
  if (!s) {
    console.log('fedmesh demo: not running (start it with: npm run demo -- up)');
    return 0;
  }
  console.log(`fedmesh demo: ${s.phase} (pid ${s.pid}, since ${s.startedAt})`);
  if (s.build) console.log(`  ${s.build.what} (process group ${s.build.pgid})`);
  for (const c of s.clusters) console.log(`  ${c.name}  ${c.url}  ${shown(c.kubeconfig)}`);
  for (const p of s.processes ?? [])
    console.log(`  ${p.name}: pid ${p.pid} ${alive(p.pid) ? 'running' : 'NOT RUNNING'}`);
  return 0;
}
