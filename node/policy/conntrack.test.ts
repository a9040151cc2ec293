// conntrack.test.ts: picking the flows to delete from a connection table listing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pairsToDelete } from './conntrack.js';

const LISTING = `tcp      6 299 ESTABLISHED src=10.1.0.5 dst=10.244.1.10 sport=40000 dport=5432 src=10.244.1.10 dst=10.1.0.5 sport=5432 dport=40000 [ASSURED] mark=0 use=1
tcp      6 299 ESTABLISHED src=10.1.0.5 dst=10.244.1.10 sport=40001 dport=5432 src=10.244.1.10 dst=10.1.0.5 sport=5432 dport=40001 [ASSURED] mark=0 use=1
tcp      6 299 ESTABLISHED src=10.244.1.10 dst=10.1.0.5 sport=40002 dport=443 src=10.1.0.5 dst=10.244.1.10 sport=443 dport=40002 [ASSURED] mark=0 use=1
udp      17 29 src=10.1.0.6 dst=10.244.1.11 sport=5353 dport=53 [UNREPLIED] src=10.244.1.11 dst=10.1.0.6 sport=53 dport=5353 mark=0 use=1
ipv6     10 tcp      6 299 ESTABLISHED src=fd00::5 dst=fd00:10:244:1::10 sport=1 dport=2 src=fd00:10:244:1::10 dst=fd00::5 sport=2 dport=1 mark=0 use=1`;

describe('pairsToDelete: the flows a plan cuts', () => {
  const cases: [string, string[], string[]][] = [
    ['flows a removed source started, once per pair', ['-D -s 10.1.0.5'], ['-D -s 10.1.0.5 -d 10.244.1.10']],
    [
      'flows to an address (its own replies do not match)',
      ['-D -d 10.1.0.5'],
      ['-D -s 10.244.1.10 -d 10.1.0.5'],
    ],
    [
      'IPv6 and UDP',
      ['-D -s fd00::5', '-D -d 10.244.1.11'],
      ['-D -s 10.1.0.6 -d 10.244.1.11', '-D -s fd00::5 -d fd00:10:244:1::10'],
    ],
    ['nothing when no flow matches', ['-D -s 10.9.9.9'], []],
  ];
  for (const [name, filters, want] of cases)
    it(name, () => assert.deepEqual(pairsToDelete(LISTING, filters).sort(), want.sort()));
});
