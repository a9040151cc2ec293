// labelindex.test.ts: the incremental index against brute force. Random workloads add, change and
// remove endpoints, parents and selectors; after every step each selector's matches, the event log
// and the IP sets (members and deltas) must equal what evaluating every pair from scratch gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Core, canonicalIP } from './index.js';
import type { EndpointUpdate, LabelIndex } from './index.js';
import { KEYS, Rng, randomLabels, randomSelector } from '../test/support/selectorgen.js';

const core = Core.load();
// Brute force runs in a core of its own: a fault in the index core's string table (a sweep freeing
// a string still held) must not be able to fail the same way in the reference.
const reference = Core.load();

interface World {
  endpoints: Map<string, EndpointUpdate>;
  parents: Map<string, Record<string, string>>;
  selectors: Map<string, string>;
  replaced: Set<string>; // selectors (re)added this step: their IP set starts empty
}

function bruteMatches(w: World, sel: string): string[] {
  const out: string[] = [];
  for (const ep of w.endpoints.values()) {
    const parents = (ep.parents ?? []).map((p) => w.parents.get(p) ?? {});
    if (reference.matches(sel, ep.labels, parents)) out.push(ep.id);
  }
  return out.sort();
}

function bruteIPs(w: World, matches: string[]): string[] {
  return [
    ...new Set(matches.flatMap((id) => (w.endpoints.get(id)!.ips ?? []).map((ip) => canonicalIP(ip)!))),
  ].sort();
}

// churned counts the label values made unique so far (the churn workloads): each is carried for
// a while and then by nothing, as a Job's controller-uid is.
let churned = 0;

// churn gives labels a new value of key (half the time): one no earlier label had.
function churn(rng: Rng, labels: Record<string, string>, key: string): void {
  if (rng.int(2) === 0) labels[key] = `${key[0]}${churned++}`;
}

function randomEndpoint(rng: Rng, id: string, churning = false): EndpointUpdate {
  const parents = ['ns0', 'ns1', 'ns2'].filter(() => rng.int(3) === 0);
  const ips = Array.from(
    { length: rng.int(3) },
    () => rng.pick(['10.0.0.', 'fd00::'] as const) + rng.int(12),
  );
  const labels = randomLabels(
    rng,
    KEYS.filter((k) => k !== 'pcns.team'),
  );
  if (churning) churn(rng, labels, 'version');
  return {
    id,
    labels,
    parents,
    ips,
  };
}

// step applies one random change to both the index and the model; churning gives endpoints and
// parents label values never seen before (which later no label carries).
function step(rng: Rng, ix: LabelIndex, w: World, churning = false): void {
  const r = rng.int(10);
  if (r < 4) {
    const ep = randomEndpoint(rng, `ep${rng.int(30)}`, churning);
    w.endpoints.set(ep.id, ep);
    ix.upsertEndpoints([ep]);
  } else if (r < 5) {
    const id = `ep${rng.int(30)}`;
    w.endpoints.delete(id);
    ix.removeEndpoints([id]);
  } else if (r < 7) {
    const id = `ns${rng.int(3)}`;
    const labels = randomLabels(rng, ['pcns.team', 'tier']);
    if (churning) churn(rng, labels, 'tier');
    if (rng.int(4) === 0) {
      w.parents.delete(id);
      ix.removeParents([id]);
    } else {
      w.parents.set(id, labels);
      ix.upsertParents([{ id, labels }]);
    }
  } else if (r < 9) {
    const id = `s${rng.int(12)}`;
    const sel = randomSelector(rng);
    w.selectors.set(id, sel);
    w.replaced.add(id);
    ix.addSelector(id, sel, { ipSet: true });
  } else {
    const id = `s${rng.int(12)}`;
    w.selectors.delete(id);
    ix.removeSelector(id);
  }
}

// check compares every selector with brute force and folds the drained events into `seen`.
function check(
  ix: LabelIndex,
  w: World,
  seen: Map<string, Set<string>>,
  ips: Map<string, Set<string>>,
): void {
  for (const ev of ix.drainEvents()) {
    const set = seen.get(ev.selector) ?? new Set<string>();
    seen.set(ev.selector, set);
    assert.equal(set.has(ev.endpoint), !ev.started, `event ${JSON.stringify(ev)} repeats the current state`);
    if (ev.started) set.add(ev.endpoint);
    else set.delete(ev.endpoint);
  }
  for (const id of w.replaced) ips.delete(id);
  w.replaced.clear();
  for (const [id, sel] of w.selectors) {
    const want = bruteMatches(w, sel);
    assert.deepEqual(ix.matching(id), want, `selector ${id} = ${sel}`);
    assert.deepEqual([...(seen.get(id) ?? [])].sort(), want, `events of ${id} = ${sel}`);
    checkIPSet(ix, id, bruteIPs(w, want), ips);
  }
}

function checkIPSet(ix: LabelIndex, id: string, want: string[], ips: Map<string, Set<string>>): void {
  assert.deepEqual(ix.ipSetMembers(id), want, `IP set of ${id}`);
  const prev = ips.get(id) ?? new Set<string>();
  const delta = ix.ipSetDelta(id);
  assert.deepEqual(
    delta.added,
    want.filter((ip) => !prev.has(ip)),
    `added to ${id}`,
  );
  assert.deepEqual(delta.removed, [...prev].filter((ip) => !want.includes(ip)).sort(), `removed from ${id}`);
  ips.set(id, new Set(want));
}

for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
  test(`random workload ${seed}: index equals brute force after every step`, () => {
    const rng = new Rng(seed);
    const ix = core.newIndex();
    const w: World = { endpoints: new Map(), parents: new Map(), selectors: new Map(), replaced: new Set() };
    const seen = new Map<string, Set<string>>();
    const ips = new Map<string, Set<string>>();
    for (let i = 0; i < 300; i++) {
      step(rng, ix, w);
      check(ix, w, seen, ips);
    }
    ix.dispose();
  });
}

// Label values that come and go are freed by sweeps and their ids handed to new values: every
// selector must keep matching exactly as brute force (in a core that never sweeps) says, and once
// the index is empty the core holds no string at all.
for (const seed of [11, 12, 13, 14]) {
  test(`churned label values ${seed}: sweeps free them and the index stays equal to brute force`, () => {
    const rng = new Rng(seed);
    const own = Core.load();
    const ix = own.newIndex();
    const w: World = { endpoints: new Map(), parents: new Map(), selectors: new Map(), replaced: new Set() };
    const seen = new Map<string, Set<string>>();
    const ips = new Map<string, Set<string>>();
    let freed = 0;
    for (let i = 0; i < 300; i++) {
      step(rng, ix, w, true);
      if (i % 5 === 4) freed += own.sweepStrings().freed;
      check(ix, w, seen, ips);
    }
    assert.ok(freed > 20, `sweeps freed ${freed} strings`);
    ix.removeEndpoints([...w.endpoints.keys()]);
    ix.removeParents([...w.parents.keys()]);
    for (const id of w.selectors.keys()) ix.removeSelector(id);
    own.sweepStrings();
    assert.equal(own.stats().internedStrings, 0, 'strings left once nothing holds any');
    ix.dispose();
  });
}

// Thousands of endpoints make the label buckets and match sets dense enough to become bitmaps, and
// removing most of them turns those back into tables; the index must stay exact through both.
test('dense sets (bitmaps) and their return to tables keep the index equal to brute force', () => {
  const rng = new Rng(9);
  const ix = core.newIndex();
  const w: World = { endpoints: new Map(), parents: new Map(), selectors: new Map(), replaced: new Set() };
  const seen = new Map<string, Set<string>>();
  const ips = new Map<string, Set<string>>();
  const upsert = (ids: number[]): void => {
    const eps = ids.map((i) => randomEndpoint(rng, `ep${i}`));
    eps.forEach((ep) => w.endpoints.set(ep.id, ep));
    ix.upsertEndpoints(eps);
  };
  const ids = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);
  for (let i = 0; i < 6; i++) step(rng, ix, w); // parents and a few selectors
  upsert(ids(5000));
  for (let i = 0; i < 6; i++) {
    const sel = randomSelector(rng);
    w.selectors.set(`d${i}`, sel);
    ix.addSelector(`d${i}`, sel, { ipSet: true });
  }
  check(ix, w, seen, ips);
  const gone = ids(5000).filter((i) => i % 50 !== 0);
  gone.forEach((i) => w.endpoints.delete(`ep${i}`));
  ix.removeEndpoints(gone.map((i) => `ep${i}`));
  check(ix, w, seen, ips);
  upsert([...ids(2000, 5000), ...ids(1000).map((i) => i * 5)]);
  check(ix, w, seen, ips);
  ix.dispose();
});

test('an address shared by two endpoints stays until both stop matching', () => {
  const ix = core.newIndex();
  ix.addSelector('web', 'app == "web"', { ipSet: true });
  ix.upsertEndpoints([
    { id: 'a', labels: { app: 'web' }, ips: ['10.0.0.1'] },
    { id: 'b', labels: { app: 'web' }, ips: ['10.0.0.1', '2001:db8::1'] },
  ]);
  assert.deepEqual(ix.ipSetDelta('web'), { added: ['10.0.0.1', '2001:db8::1'], removed: [] });
  ix.removeEndpoints(['a']);
  assert.deepEqual(ix.ipSetDelta('web'), { added: [], removed: [] });
  ix.upsertEndpoints([{ id: 'b', labels: { app: 'db' }, ips: ['10.0.0.1'] }]);
  assert.deepEqual(ix.ipSetDelta('web'), { added: [], removed: ['10.0.0.1', '2001:db8::1'] });
  assert.deepEqual(ix.ipSetMembers('web'), []);
});

test('spellings of one address are one IP-set member, named canonically', () => {
  const ix = core.newIndex();
  ix.addSelector('web', 'app == "web"', { ipSet: true });
  ix.upsertEndpoints([
    { id: 'a', labels: { app: 'web' }, ips: ['10.0.0.1', 'FD00:0::1', '255.255.255.255'] },
    { id: 'b', labels: { app: 'web' }, ips: ['::ffff:10.0.0.1', 'fd00::1', '0.0.0.0'] },
  ]);
  assert.deepEqual(ix.ipSetMembers('web'), ['0.0.0.0', '10.0.0.1', '255.255.255.255', 'fd00::1']);
  ix.removeEndpoints(['a']);
  assert.deepEqual(ix.ipSetMembers('web'), ['0.0.0.0', '10.0.0.1', 'fd00::1']);
  assert.throws(
    () => ix.upsertEndpoints([{ id: 'c', labels: {}, ips: ['203.0.113.77', '10.0.0.01'] }]),
    /invalid IP address "10.0.0.01"/,
  );
  ix.upsertEndpoints([{ id: 'a', labels: { app: 'web' }, ips: ['203.0.113.77'] }]);
  assert.deepEqual(ix.ipSetMembers('web'), ['0.0.0.0', '10.0.0.1', '203.0.113.77', 'fd00::1']);
  assert.deepEqual(ix.ipSetCidrs('web'), ['0.0.0.0/32', '10.0.0.1/32', '203.0.113.77/32', 'fd00::1/128']);
});

test('a parent label change re-checks only that parent’s children', () => {
  const ix = core.newIndex();
  const eps = Array.from({ length: 100 }, (_, i) => ({
    id: `e${i}`,
    labels: {},
    parents: [i < 10 ? 'ns-a' : 'ns-b'],
  }));
  ix.upsertEndpoints(eps);
  ix.addSelector('team', 'pcns.team == "x"');
  ix.drainEvents();
  const before = ix.stats().evaluations;
  ix.upsertParents([{ id: 'ns-a', labels: { 'pcns.team': 'x' } }]);
  assert.equal(ix.matching('team').length, 10);
  assert.ok(ix.stats().evaluations - before <= 10, `evaluated ${ix.stats().evaluations - before} pairs`);
});

test('a new selector evaluates only candidate endpoints', () => {
  const ix = core.newIndex();
  ix.upsertEndpoints(
    Array.from({ length: 1000 }, (_, i) => ({ id: `e${i}`, labels: { app: `app${i % 100}` } })),
  );
  const before = ix.stats().evaluations;
  ix.addSelector('one', 'app == "app7" && tier != "x"');
  assert.equal(ix.matching('one').length, 10);
  assert.equal(ix.stats().evaluations - before, 10);
});

test('a changed endpoint is checked only against candidate selectors', () => {
  const ix = core.newIndex();
  for (let i = 0; i < 500; i++) ix.addSelector(`s${i}`, `app == "app${i}"`);
  const before = ix.stats().evaluations;
  ix.upsertEndpoints([{ id: 'e', labels: { app: 'app3', tier: 'web' } }]);
  assert.deepEqual(ix.drainEvents(), [{ started: true, selector: 's3', endpoint: 'e' }]);
  assert.equal(ix.stats().evaluations - before, 1);
});

test('a prefix or suffix selector evaluates only endpoints whose value passes the test', () => {
  const ix = core.newIndex();
  const apps = Array.from({ length: 1000 }, (_, i) => ({ id: `e${i}`, labels: { app: `app${i % 100}` } }));
  ix.upsertEndpoints(apps);
  let before = ix.stats().evaluations;
  ix.addSelector('p', 'app starts with "app7" && has(app)');
  ix.addSelector('q', 'app ends with "9"');
  assert.equal(ix.matching('p').length, 110); // app7 and app70-app79
  assert.equal(ix.matching('q').length, 100);
  assert.equal(ix.stats().evaluations - before, 210);
  ix.drainEvents();
  before = ix.stats().evaluations;
  ix.upsertEndpoints([{ id: 'e1', labels: { app: 'app79' } }]);
  assert.deepEqual(
    ix.drainEvents().sort((a, b) => a.selector.localeCompare(b.selector)),
    [
      { started: true, selector: 'p', endpoint: 'e1' },
      { started: true, selector: 'q', endpoint: 'e1' },
    ],
  );
  assert.equal(ix.stats().evaluations - before, 2);
});

test('an update that changes no label re-evaluates nothing and moves IP-set members', () => {
  const ix = core.newIndex();
  ix.addSelector('web', 'app == "web" || tier != "x"', { ipSet: true });
  ix.upsertEndpoints([{ id: 'a', labels: { app: 'web' }, parents: ['ns'], ips: ['10.0.0.1'] }]);
  ix.ipSetDelta('web');
  const before = ix.stats().evaluations;
  ix.upsertEndpoints([{ id: 'a', labels: { app: 'web' }, parents: ['ns'], ips: ['10.0.0.2'] }]);
  ix.upsertEndpoints([{ id: 'a', labels: { app: 'web' }, parents: ['ns'], ips: ['10.0.0.2'] }]);
  assert.equal(ix.stats().evaluations - before, 0);
  assert.deepEqual(ix.ipSetDelta('web'), { added: ['10.0.0.2'], removed: ['10.0.0.1'] });
});

test('parse(canonical(s)) matches exactly the label sets s matches', () => {
  const rng = new Rng(42);
  for (let i = 0; i < 2000; i++) {
    const src = randomSelector(rng, 4);
    const canonical = core.parse(src).canonical;
    for (let j = 0; j < 10; j++) {
      const labels = randomLabels(rng);
      const parents = [randomLabels(rng)];
      assert.equal(
        core.matches(canonical, labels, parents),
        core.matches(src, labels, parents),
        `${src} vs ${canonical}`,
      );
    }
  }
});
