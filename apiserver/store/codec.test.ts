// codec.test.ts: compacted texts expand to exactly the JSON they came from, whatever the values
// hold (fragments inside strings, escaped control characters, non-ASCII), and a store with a
// codec serves the same JSON as one without.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { endpointCodec } from '../mesh/endpointcodec.js';
import type { KObject } from '../types.js';
import { TextCodec } from './codec.js';
import { joinBytes, joinTexts } from './entry.js';
import { Revision } from './revision.js';
import { Store } from './store.js';

const codec = new TextCodec(['{"name":"', '","value":"', '"}', '","']);

function randomString(rand: () => number): string {
  const pool = ['","', '"}', '{"name":"', '\u0001', '\u001f', '\n', '"', '\\', 'é', '😀', 'a', ' ', ','];
  let s = '';
  for (let n = rand() * 8; n > 0; n--) s += pool[Math.floor(rand() * pool.length)];
  return s;
}

describe('text codec', () => {
  it('expands every compacted text to the exact JSON, values full of fragments and escapes', () => {
    let seed = 11;
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let i = 0; i < 5000; i++) {
      const json = JSON.stringify({ name: randomString(rand), value: randomString(rand), n: i });
      const compact = codec.compact(json);
      assert.equal(codec.expand(compact), json);
      assert.ok(compact.length <= json.length);
    }
    const a = JSON.stringify({ name: 'x', value: '","' });
    const b = JSON.stringify({ name: '\u0002', value: 'y' });
    assert.equal(codec.expand(`${codec.compact(a)},${codec.compact(b)}`), `${a},${b}`, 'joined texts');
  });

  it('expands texts to their UTF-8 joined by commas, saying where each begins', () => {
    let seed = 5;
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let round = 0; round < 200; round++) {
      const jsons = Array.from({ length: Math.floor(rand() * 6) }, (_, i) =>
        JSON.stringify({ name: randomString(rand), value: randomString(rand), n: i }),
      );
      const starts: number[] = [];
      const got = codec.expandBytes(
        jsons.map((j) => codec.compact(j)),
        { starts },
      );
      assert.deepEqual(got, Buffer.from(jsons.join(','), 'utf8'));
      assert.deepEqual(
        starts,
        jsons.map((_, i) => Buffer.byteLength(jsons.slice(0, i).join(',')) + (i > 0 ? 1 : 0)),
      );
    }
  });

  it('refuses fragments it could not tell apart', () => {
    assert.throws(() => new TextCodec(['ok', 'x']), /unusable fragment "x"/);
    assert.throws(() => new TextCodec(['ab', 'c\u0003d']), /unusable fragment/);
    assert.throws(() => new TextCodec(Array.from({ length: 32 }, (_, i) => `f${i}`)), /at most 31/);
  });

  it('a store with a codec keeps about a third of an endpoint and serves the same JSON', () => {
    type Thing = KObject & { spec: Record<string, unknown> };
    const obj: Thing = {
      apiVersion: 'federated.mesh/v1alpha1',
      kind: 'FederatedEndpoint',
      metadata: { name: 'b.web-0', namespace: 'shop', labels: { app: 'web', 'federated.mesh/cluster': 'b' } },
      spec: { cluster: 'b', pod: 'web-0', node: 'n1', serviceAccount: 'default', ips: ['10.0.0.1'] },
    };
    const plain = new Store<Thing>(new Revision(1));
    const compact = new Store<Thing>(new Revision(1), 100, endpointCodec);
    const [p] = plain.apply([{ upsert: obj }]);
    const [c] = compact.apply([{ upsert: obj }]);
    assert.equal(c!.entry.text, p!.entry.text);
    assert.ok(c!.entry.stored.length < p!.entry.stored.length / 2, `${c!.entry.stored.length} chars kept`);
    assert.deepEqual(c!.entry.obj, p!.entry.obj);
    assert.equal(joinTexts([c!.entry, c!.entry]), `${p!.entry.text},${p!.entry.text}`);
    const [starts, plainStarts]: number[][] = [[], []];
    assert.equal(joinBytes([c!.entry, c!.entry], { starts }).toString(), `${p!.entry.text},${p!.entry.text}`);
    assert.equal(
      joinBytes([p!.entry, p!.entry], { starts: plainStarts }).toString(),
      `${p!.entry.text},${p!.entry.text}`,
    );
    assert.deepEqual(starts, [0, Buffer.byteLength(p!.entry.text) + 1]);
    assert.deepEqual(plainStarts, starts);
    assert.deepEqual(compact.apply([{ upsert: obj }]), [], 'no event for an unchanged object');
  });
});
