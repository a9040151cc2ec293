// x509verify.test.ts: client certificate chains are accepted only when they lead to a trusted
// CA through valid signatures, unexpired certificates and the clientAuth key usage.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { createCA, issueCert, type KeyPair } from '../../core/pki.js';
import { intermediateCA } from '../../test/support/auth.js';
import { credentialId, subjectOf, verifyClientChain } from './x509verify.js';

const der = (k: KeyPair | string): Buffer => new X509Certificate(typeof k === 'string' ? k : k.certPem).raw;
const root = createCA('root');
const other = createCA('other');
const inter = intermediateCA(root, 'intermediate');
const client = issueCert(root, { commonName: 'alice', organizations: ['dev', 'ops, qa'], usage: 'client' });
const viaInter = issueCert(inter, { commonName: 'bob', usage: 'client' });
const serverOnly = issueCert(root, { commonName: 'web', usage: 'server' });
const fromOther = issueCert(other, { commonName: 'mallory', usage: 'client' });
const year = 366 * 24 * 3600 * 1000;

describe('verifyClientChain', () => {
  const cases: { name: string; chain: Buffer[]; roots: KeyPair[]; now?: number; ok: true | RegExp }[] = [
    { name: 'leaf signed by a trusted CA', chain: [der(client)], roots: [root], ok: true },
    { name: 'trusted CA among several', chain: [der(client)], roots: [other, root], ok: true },
    {
      name: 'leaf through a presented intermediate',
      chain: [der(viaInter), der(inter)],
      roots: [root],
      ok: true,
    },
    { name: 'intermediate missing', chain: [der(viaInter)], roots: [root], ok: /unknown authority/ },
    { name: 'leaf from another CA', chain: [der(fromOther)], roots: [root], ok: /unknown authority/ },
    {
      name: 'other CA presented as intermediate',
      chain: [der(fromOther), der(other)],
      roots: [root],
      ok: /unknown authority/,
    },
    { name: 'serverAuth-only certificate', chain: [der(serverOnly)], roots: [root], ok: /key usage/ },
    { name: 'expired leaf', chain: [der(client)], roots: [root], now: Date.now() + 2 * year, ok: /expired/ },
    {
      name: 'not yet valid leaf',
      chain: [der(client)],
      roots: [root],
      now: Date.now() - 3600_000,
      ok: /not yet valid/,
    },
    { name: 'no certificate', chain: [], roots: [root], ok: /no client certificate/ },
    { name: 'no trusted CAs', chain: [der(client)], roots: [], ok: /no trusted/ },
    { name: 'garbage bytes', chain: [Buffer.from('not a cert')], roots: [root], ok: /malformed/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = verifyClientChain(
        c.chain,
        c.roots.map((k) => new X509Certificate(k.certPem)),
        c.now,
      );
      if (c.ok === true) assert.equal(r.ok, true, r.ok ? '' : r.reason);
      else assert.match(r.ok ? 'accepted' : r.reason, c.ok);
    });
  }
});

describe('subjectOf and credentialId', () => {
  it('reads CN and every O, without splitting or escaping', () => {
    assert.deepEqual(subjectOf(new X509Certificate(client.certPem)), {
      commonName: 'alice',
      organizations: ['dev', 'ops, qa'],
    });
    assert.deepEqual(subjectOf(new X509Certificate(viaInter.certPem)), {
      commonName: 'bob',
      organizations: [],
    });
  });
  it('formats the credential id as upstream', () => {
    assert.match(credentialId(new X509Certificate(client.certPem)), /^X509SHA256=[0-9a-f]{64}$/);
  });
});
