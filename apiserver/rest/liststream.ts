// liststream.ts: a list of the whole collection (no limit) is written as it is read: the head,
// then the items of each scan step, then the tail, waiting whenever the socket is full. Neither the
// event loop nor memory ever holds the whole list, however large the mesh. A protobuf list, whose
// envelope needs its length first, is encoded step by step and sent once complete.
import type { ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { encodeListMetaPart, partialObjectMetadataListParts } from '../protobuf/index.js';
import type { ListPlan } from './list.js';
import type { Form } from './negotiate.js';
import { itemsPart, JSON_TYPE, listText, PROTOBUF_TYPE, type ListMeta } from './render.js';
import type { Resource } from './resource.js';

/**
 * streamList answers a list without limit. Its first step runs before the headers, so an error
 * there (410 Expired) is still a Status; a later one (the store changed more than its history
 * holds while a slow client read) aborts the response, which the client sees as a failed list to
 * retry, never as a complete one.
 */
export async function streamList(
  res: ServerResponse,
  r: Resource,
  plan: ListPlan,
  form: Form,
  query: URLSearchParams,
  now: number,
): Promise<void> {
  const { scan } = plan;
  const first = scan.step();
  const meta: ListMeta = { resourceVersion: String(scan.rv) };
  if (form.kind === 'partial' && form.protobuf) {
    const parts = [encodeListMetaPart(meta), itemsPart(first)];
    while (!scan.done) {
      await nextTurn();
      if (res.destroyed) return;
      parts.push(itemsPart(scan.step()));
    }
    const body = partialObjectMetadataListParts(`meta.k8s.io/${form.version}`, parts);
    const length = body.reduce((n, p) => n + p.length, 0);
    res.writeHead(200, { 'Content-Type': PROTOBUF_TYPE, 'Content-Length': length });
    for (const p of body) res.write(p);
    res.end();
    return;
  }
  const t = listText(r, meta, form, query, now);
  res.writeHead(200, { 'Content-Type': JSON_TYPE });
  try {
    res.write(t.head);
    let items = t.items(first);
    let any = first.length > 0;
    while (!scan.done) {
      if (!res.write(items)) await drained(res);
      if (res.destroyed) return;
      await nextTurn();
      const step = scan.step();
      if (step.length === 0) {
        items = '';
        continue;
      }
      if (any) res.write(',');
      items = t.items(step);
      any = true;
    }
    res.write(items);
    res.end(t.tail);
  } catch (err) {
    res.destroy(err as Error);
    throw err;
  }
}

/** drained resolves when res can take more data, or has closed (at once if it already has). */
export function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed || res.writableEnded || !res.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
