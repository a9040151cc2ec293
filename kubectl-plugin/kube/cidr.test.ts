// cidr.test.ts: CIDR parsing and overlap, both families.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findOverlaps, parseCIDR } from './cidr.js';
import { formatDuration, parseDuration } from './duration.js';

test('findOverlaps: table of named cases', () => {
  const cases: { name: string; a: string[]; b: string[]; want: number }[] = [
    { name: 'disjoint v4', a: ['10.10.1.0/24'], b: ['10.20.1.0/24'], want: 0 },
    { name: 'same /24', a: ['10.10.1.0/24'], b: ['10.10.1.0/24'], want: 1 },
    { name: 'contained', a: ['10.0.0.0/8'], b: ['10.20.1.0/24', '192.168.0.0/16'], want: 1 },
    { name: 'families never overlap', a: ['10.0.0.0/8'], b: ['fd00::/8'], want: 0 },
    { name: 'v6 overlap', a: ['fd00:10::/64'], b: ['fd00:10::1/128'], want: 1 },
    { name: 'v6 disjoint', a: ['fd00:10::/64'], b: ['fd00:20::/64'], want: 0 },
    { name: 'invalid ignored', a: ['nonsense'], b: ['10.0.0.0/8'], want: 0 },
  ];
  for (const c of cases) assert.equal(findOverlaps(c.a, c.b).length, c.want, c.name);
});

test('parseCIDR: host bits are masked, bare addresses are single hosts', () => {
  assert.equal(parseCIDR('10.10.1.7/24')?.first, parseCIDR('10.10.1.0/24')?.first);
  const one = parseCIDR('10.0.0.1')!;
  assert.equal(one.first, one.last);
  assert.equal(parseCIDR('10.0.0.0/33'), undefined);
});

test('parseDuration and formatDuration', () => {
  assert.equal(parseDuration('8760h', '--token-expiration'), 8760 * 3_600_000);
  assert.equal(parseDuration('1m30s', '--timeout'), 90_000);
  assert.throws(() => parseDuration('2 minutes', '--timeout'), /--timeout: "2 minutes"/);
  assert.equal(formatDuration(365 * 86_400_000), '365d');
  assert.equal(formatDuration(45_000), '45s');
});
