// ip.test.ts: address parsing and the minimal CIDR cover, checked against sibling merging (brute force).
import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import { Core } from './index.js';
import { canonicalIP, cidrContains, formatCidr, parseCidr, parseIP } from './ip.js';
import { Rng } from '../test/support/selectorgen.js';

const core = Core.load();

// [name, input, canonical form or null when invalid]
const ipCases: [string, string, string | null][] = [
  ['IPv4', '10.1.2.3', '10.1.2.3'],
  ['IPv4 leading zero is refused', '10.01.2.3', null],
  ['IPv4 octet out of range', '10.256.2.3', null],
  ['IPv6 compressed', '2001:db8::1', '2001:db8::1'],
  ['IPv6 zeros compress to the longest run', '2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
  ['IPv6 upper case', 'FD00::A', 'fd00::a'],
  ['IPv6 all zeros', '::', '::'],
  ['IPv4-mapped IPv6 is IPv4', '::ffff:192.0.2.1', '192.0.2.1'],
  ['IPv6 too many groups', '1:2:3:4:5:6:7:8:9', null],
  ['two ::', '1::2::3', null],
  ['not an address', 'web', null],
];

for (const [name, input, want] of ipCases) {
  test(`parse ${name}`, () => assert.equal(canonicalIP(input), want));
}

// [name, addresses, cover]
const coverCases: [string, string[], string[]][] = [
  ['empty', [], []],
  ['one address', ['10.0.0.1'], ['10.0.0.1/32']],
  ['aligned block', ['10.0.0.0', '10.0.0.1', '10.0.0.2', '10.0.0.3'], ['10.0.0.0/30']],
  ['unaligned run', ['10.0.0.1', '10.0.0.2'], ['10.0.0.1/32', '10.0.0.2/32']],
  ['duplicates', ['10.0.0.0', '10.0.0.1', '10.0.0.1'], ['10.0.0.0/31']],
  ['IPv4 before IPv6', ['fd00::1', '10.0.0.0'], ['10.0.0.0/32', 'fd00::1/128']],
  [
    'IPv6 carry across the 64-bit halves',
    ['::ffff:ffff:ffff:fffe', '::1:0:0:0:0'],
    ['::ffff:ffff:ffff:fffe/128', '0:0:0:1::/128'],
  ],
  [
    'IPv6 block over the 64-bit boundary',
    ['0:0:0:1:ffff:ffff:ffff:ffff', '0:0:0:2::'],
    ['::1:ffff:ffff:ffff:ffff/128', '0:0:0:2::/128'],
  ],
  ['top of the IPv4 space', ['255.255.255.254', '255.255.255.255'], ['255.255.255.254/31']],
];

for (const [name, ips, want] of coverCases) {
  test(`cover ${name}`, () => assert.deepEqual(core.cidrCover(ips), want));
}

// bruteCover merges sibling /n pairs into /n-1 until nothing changes (IPv4 only).
function bruteCover(addrs: number[]): string[] {
  let set = new Set(addrs.map((a) => `${a}/32`));
  for (let changed = true; changed;) {
    changed = false;
    for (const c of set) {
      const [a, l] = c.split('/').map(Number) as [number, number];
      const size = 2 ** (32 - l);
      const base = a % (size * 2) === 0 ? a : a - size;
      const sib = base === a ? `${a + size}/${l}` : `${base}/${l}`;
      if (l > 0 && set.has(sib)) {
        set.delete(c);
        set.delete(sib);
        set.add(`${base}/${l - 1}`);
        changed = true;
        break;
      }
    }
  }
  set = new Set(
    [...set].map((c) => c.split('/') as [string, string]).map(([a, l]) => `${v4(Number(a))}/${l}`),
  );
  return [...set].sort();
}

function v4(a: number): string {
  return [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join('.');
}

test('random IPv4 sets: the cover equals sibling merging', () => {
  const rng = new Rng(9);
  for (let round = 0; round < 200; round++) {
    const base = rng.int(2 ** 24) * 256;
    const addrs = Array.from({ length: rng.int(200) }, () => base + rng.int(256));
    assert.deepEqual([...core.cidrCover(addrs.map(v4))].sort(), bruteCover(addrs));
  }
});

describe('parseCidr and cidrContains', () => {
  it('clears host bits and renders canonically', () => {
    assert.equal(formatCidr(parseCidr('10.1.2.3/16')!), '10.1.0.0/16');
    assert.equal(formatCidr(parseCidr('FD00:0:0:0::1/64')!), 'fd00::/64');
    assert.equal(formatCidr(parseCidr('0.0.0.0/0')!), '0.0.0.0/0');
  });
  it('refuses what is not a prefix', () => {
    for (const s of ['10.0.0.0', '10.0.0.0/33', 'fd00::/129', 'x/8', '10.0.0.0/-1', '10.0.0.0/08a'])
      assert.equal(parseCidr(s), null, s);
  });
  it('contains addresses of its own family only', () => {
    const v4 = parseCidr('10.244.1.0/24')!;
    assert.equal(cidrContains(v4, parseIP('10.244.1.200')!), true);
    assert.equal(cidrContains(v4, parseIP('10.244.2.1')!), false);
    assert.equal(cidrContains(parseCidr('0.0.0.0/0')!, parseIP('fd00::1')!), false);
    assert.equal(cidrContains(parseCidr('fd00::/64')!, parseIP('fd00::1')!), true);
    assert.equal(cidrContains(parseCidr('::/0')!, parseIP('10.0.0.1')!), false);
  });
});
