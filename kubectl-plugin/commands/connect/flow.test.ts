// flow.test.ts: what connect prints while it waits and for each preflight check.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLine, syncState, type ConditionFields } from './flow.js';

test('syncState: Synced is done; otherwise the Connected condition says why', () => {
  const cases: {
    name: string;
    conds: ConditionFields[];
    want: true | RegExp;
  }[] = [
    { name: 'no status yet', conds: [], want: /not reported a status yet/ },
    { name: 'synced', conds: [{ type: 'Synced', status: 'True' }], want: true },
    {
      name: 'unreachable',
      conds: [
        {
          type: 'Connected',
          status: 'False',
          reason: 'Unreachable',
          message: 'dial tcp 10.0.0.1:6443: connection refused',
        },
        { type: 'Synced', status: 'False', reason: 'Syncing' },
      ],
      want: /^Connected=False \(Unreachable\): dial tcp/,
    },
    {
      name: 'connected, still listing',
      conds: [
        { type: 'Connected', status: 'True' },
        { type: 'Synced', status: 'False', message: 'listing the remote cluster' },
      ],
      want: /^connected; listing the remote cluster$/,
    },
  ];
  for (const c of cases) {
    const got = syncState(c.conds);
    if (c.want === true) assert.equal(got, true, c.name);
    else assert.match(String(got), c.want, c.name);
  }
});

test('checkLine: OK lines, FAIL lines with the fix under them', () => {
  assert.equal(checkLine({ ok: true, message: 'fine' }), '  OK    fine\n');
  assert.equal(
    checkLine({ ok: false, message: 'broken', fix: 'run: kubectl mesh install --context a' }),
    '  FAIL  broken\n        fix: run: kubectl mesh install --context a\n',
  );
});
