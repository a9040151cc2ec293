// stream.test.ts: lists of the whole collection and the initial state of a watch are streamed in
// scan steps through the real HTTP stack: a client that reads slowly while the store changes gets
// exactly the state at the list's version (then, for a watch, every change after it, in order),
// a watch whose initial state is far larger than the slow-watcher limit is throttled, not cut
// off, a protobuf metadata list is the same list however it is stepped, and a client that leaves
// mid-list frees its request.
import assert from 'node:assert/strict';
import { request, createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeProtobuf } from '../protobuf/index.js';
import { StatusError } from '../status.js';
import { Revision } from '../store/revision.js';
import { Store, type Change } from '../store/store.js';
import { GROUP_VERSION, type KObject } from '../types.js';
import { serveResource, type RestDeps } from './handler.js';
import { SCAN_STEP } from './list.js';
import { defineResource } from './resource.js';

const N = SCAN_STEP * 12 + 7; // about 4 MB of JSON: more than the socket takes while unread
const name = (i: number): string => `thing-${String(i).padStart(6, '0')}`;
const thing = (i: number, v = '1'): KObject => ({
  apiVersion: GROUP_VERSION,
  kind: 'Thing',
  metadata: { namespace: 'ns', name: name(i), labels: { v }, annotations: { pad: 'x'.repeat(200) } },
});

describe('streamed lists and initial watch states', () => {
  let server: Server;
  let port: number;
  let store: Store;
  let finished = 0; // requests whose handler has returned
  const deps = (): RestDeps => ({
    resources: new Map([
      [
        'things',
        defineResource({
          info: {
            plural: 'things',
            singular: 'thing',
            kind: 'Thing',
            listKind: 'ThingList',
            namespaced: true,
          },
          reader: { store },
        }),
      ],
    ]),
    compileSelector: () => {
      throw new Error('no label selectors here');
    },
    currentRV: () => store.lastRV(),
    watch: { bookmarkIntervalMs: 60_000, maxBufferedBytes: 1 << 16, minTimeoutSeconds: 1800, now: Date.now },
    maxBodyBytes: 1 << 20,
  });

  before(async () => {
    server = createServer((req, res) => {
      const url = new URL(req.url!, 'http://x');
      const verb = url.searchParams.get('watch') === 'true' ? 'watch' : 'list';
      void serveResource(deps(), {
        req,
        res,
        info: { verb, resource: 'things', namespace: 'ns' },
        query: url.searchParams,
        user: { username: 'test', groups: [], extra: {} },
        can: () => Promise.resolve(true),
      })
        .catch((err: Error) => {
          if (res.headersSent) return;
          res.writeHead(err instanceof StatusError ? err.code : 500).end(err.message);
        })
        .finally(() => finished++);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server?.close());

  const fresh = (): void => {
    store = new Store(new Revision(1), 100_000);
    store.apply(Array.from({ length: N }, (_, i) => ({ upsert: thing(i) })));
  };
  const get = (query: string, accept = 'application/json'): Promise<IncomingMessage> =>
    new Promise((resolve, reject) =>
      request({ port, path: `/x?${query}`, headers: { accept } }, resolve)
        .on('error', reject)
        .end(),
    );
  // readAll reads a response to its end, pausing for pauseMs after the first chunk, during which
  // `meanwhile` changes the store.
  const readAll = async (res: IncomingMessage, pauseMs = 0, meanwhile?: () => void): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    let first = true;
    for await (const c of res) {
      chunks.push(c as Buffer);
      if (first && pauseMs > 0) {
        first = false;
        res.pause();
        meanwhile?.();
        await sleep(pauseMs);
        res.resume();
      }
    }
    return Buffer.concat(chunks);
  };
  // Changes spread over the collection, most of them ahead of what the first chunk holds.
  const changes = (): Change[] => [
    { delete: `ns/${name(N - 1)}` },
    { delete: `ns/${name(SCAN_STEP * 6)}` },
    { upsert: thing(SCAN_STEP * 9, '2') },
    { upsert: thing(3, '2') },
    { upsert: { ...thing(0), metadata: { ...thing(0).metadata, name: `${name(SCAN_STEP * 4)}a` } } },
  ];

  it('a whole-collection list read slowly while the store changes is the state at its version', async () => {
    fresh();
    const rv = store.lastRV();
    const res = await get('');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['content-length'], undefined, 'streamed, not buffered whole');
    const body = JSON.parse((await readAll(res, 300, () => store.apply(changes()))).toString()) as {
      metadata: { resourceVersion: string };
      items: KObject[];
    };
    assert.equal(body.metadata.resourceVersion, String(rv));
    assert.equal(body.items.length, N);
    assert.deepEqual(
      body.items.map((o) => `${o.metadata.name}@${o.metadata.labels!.v}`),
      Array.from({ length: N }, (_, i) => `${name(i)}@1`),
    );
    assert.ok(store.lastRV() > rv, 'the store did change during the list');
  });

  it("a watch's initial state streams at the client's pace, then every change after it, in order", async () => {
    fresh();
    const rv = store.lastRV();
    const res = await get(
      'watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true',
    );
    assert.equal(res.statusCode, 200);
    const events: { type: string; object: KObject }[] = [];
    let buf = '';
    let first = true;
    for await (const c of res) {
      buf += (c as Buffer).toString();
      const lines = buf.split('\n');
      buf = lines.pop()!;
      for (const l of lines) events.push(JSON.parse(l) as { type: string; object: KObject });
      if (first) {
        // Far more than maxBufferedBytes (64 KiB) is still to come: a cut-off watch would end here.
        first = false;
        res.pause();
        store.apply(changes());
        await sleep(300);
        res.resume();
      }
      if (events.length >= N + 1 + changes().length) break;
    }
    res.destroy();
    const added = events.filter((e) => e.type === 'ADDED').slice(0, N);
    assert.equal(added.length, N, 'every object of the initial state');
    assert.deepEqual(
      added.map((e) => `${e.object.metadata.name}@${e.object.metadata.labels!.v}`),
      Array.from({ length: N }, (_, i) => `${name(i)}@1`),
    );
    const end = events[N]!;
    assert.equal(end.type, 'BOOKMARK');
    assert.equal(
      end.object.metadata.resourceVersion,
      String(rv),
      'the initial state is at the start version',
    );
    assert.deepEqual(
      events.slice(N + 1).map((e) => `${e.type} ${e.object.metadata.name}`),
      [
        `DELETED ${name(N - 1)}`,
        `DELETED ${name(SCAN_STEP * 6)}`,
        `MODIFIED ${name(SCAN_STEP * 9)}`,
        `MODIFIED ${name(3)}`,
        `ADDED ${name(SCAN_STEP * 4)}a`,
      ],
    );
  });

  it('a protobuf metadata list is the whole list, read in steps', async () => {
    fresh();
    const res = await get(
      '',
      'application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1',
    );
    assert.equal(res.statusCode, 200);
    const decoded = decodeProtobuf(await readAll(res, 100, () => store.apply(changes())));
    assert.equal(decoded.kind, 'PartialObjectMetadataList');
    const list = decoded as unknown as { items: { metadata: { name: string } }[] };
    assert.deepEqual(
      list.items.map((i) => i.metadata.name),
      Array.from({ length: N }, (_, i) => name(i)),
    );
  });

  it('a client that goes away in the middle of a list ends its request on the server', async () => {
    fresh();
    const before = finished;
    const res = await get('');
    await new Promise<void>((resolve) => res.once('data', () => resolve()));
    res.destroy();
    for (let i = 0; i < 200 && finished === before; i++) await sleep(25);
    assert.equal(finished, before + 1, 'the list handler returned');
  });
});
