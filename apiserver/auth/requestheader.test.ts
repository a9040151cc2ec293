// requestheader.test.ts: the proxied identity is read exactly as upstream reads it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DEFAULT_HEADER_NAMES,
  identityHeadersPresent,
  userFromHeaders,
  type HeaderNames,
} from './requestheader.js';
import type { AuthRequest, UserInfo } from './types.js';

const req = (h: Record<string, string[]>): AuthRequest => ({ headersDistinct: h, peerCertificates: [] });

describe('userFromHeaders', () => {
  const two: HeaderNames = {
    usernameHeaders: ['X-Remote-User', 'X-Other-User'],
    uidHeaders: ['X-Remote-Uid'],
    groupHeaders: ['X-Remote-Group', 'X-Other-Group'],
    extraHeaderPrefixes: ['X-Remote-Extra-', 'X-Other-Extra-'],
  };
  const cases: {
    name: string;
    headers: Record<string, string[]>;
    names?: HeaderNames;
    want: UserInfo | undefined;
  }[] = [
    { name: 'no username: no user', headers: { 'x-remote-group': ['g'] }, want: undefined },
    { name: 'empty username: no user', headers: { 'x-remote-user': [''] }, want: undefined },
    {
      name: 'repeated groups stay apart, commas are not split',
      headers: { 'x-remote-user': ['alice'], 'x-remote-group': ['a', 'b, c', ''] },
      want: { username: 'alice', groups: ['a', 'b, c'], extra: {} },
    },
    {
      name: 'first non-empty username header wins; groups from every header',
      headers: {
        'x-remote-user': [''],
        'x-other-user': ['bob'],
        'x-remote-group': ['a'],
        'x-other-group': ['b'],
      },
      names: two,
      want: { username: 'bob', groups: ['a', 'b'], extra: {} },
    },
    {
      name: 'uid',
      headers: { 'x-remote-user': ['alice'], 'x-remote-uid': ['u-1'] },
      want: { username: 'alice', uid: 'u-1', groups: [], extra: {} },
    },
    {
      name: 'extra keys lowercased and percent-decoded, values appended',
      headers: {
        'x-remote-user': ['alice'],
        'x-remote-extra-authentication.kubernetes.io%2fcredential-id': ['JTI=1'],
        'x-remote-extra-scopes': ['view', 'edit'],
        'x-remote-extra-bad%zz': ['x'],
      },
      want: {
        username: 'alice',
        groups: [],
        extra: {
          'authentication.kubernetes.io/credential-id': ['JTI=1'],
          scopes: ['view', 'edit'],
          'bad%zz': ['x'],
        },
      },
    },
    {
      name: 'two extra prefixes feed one key',
      headers: { 'x-remote-user': ['a'], 'x-remote-extra-k': ['1'], 'x-other-extra-k': ['2'] },
      names: two,
      want: { username: 'a', groups: [], extra: { k: ['1', '2'] } },
    },
  ];
  for (const c of cases) {
    it(c.name, () =>
      assert.deepEqual(userFromHeaders(req(c.headers), c.names ?? DEFAULT_HEADER_NAMES), c.want),
    );
  }
});

describe('identityHeadersPresent', () => {
  it('lists identity header names only, sorted', () => {
    const r = req({
      'x-remote-user': ['x'],
      'x-remote-extra-a': ['1'],
      accept: ['*/*'],
      'x-remote-group': ['g'],
    });
    assert.deepEqual(identityHeadersPresent(r, DEFAULT_HEADER_NAMES), [
      'x-remote-extra-a',
      'x-remote-group',
      'x-remote-user',
    ]);
    assert.deepEqual(identityHeadersPresent(req({ accept: ['*/*'] }), DEFAULT_HEADER_NAMES), []);
  });
});
