import net, { type AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installErrorHandling } from '../../src/http/errors.js';
import { streamEvents, trackEventStreams } from '../../src/http/sse.js';
import { LiveEvents } from '../../src/service/live-events.js';
import { outboxEventJson, type OutboxEventInput } from '../../src/service/outbox.js';
import { openPlatform, type Platform } from '../../src/service/platform.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { createTestDatabase, STORE_NAMES, type TestDatabase } from '../helpers/stores.js';
import { insertEvents, sleep, waitFor } from './helpers.js';
import { openStream } from './sse-client.js';

/** A bare app with the SSE writer on routes without authentication: the filter comes from the path. */
async function startStreamApp(live: LiveEvents) {
  const app: FastifyInstance = Fastify();
  installErrorHandling(app);
  const streams = trackEventStreams(app);
  app.get<{ Params: { id: string } }>('/merchants/:id/events', (request, reply) =>
    streamEvents(request, reply, { live, filter: { merchantId: request.params.id }, streams, heartbeatMs: 100 }),
  );
  app.get<{ Params: { id: string } }>('/consumers/:id/events', (request, reply) =>
    streamEvents(request, reply, { live, filter: { consumerId: request.params.id }, streams, heartbeatMs: 100 }),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}

let counter = 0;
function ev(merchantId: string | null, consumerId: string | null = null, type = 'payment.succeeded'): OutboxEventInput {
  counter++;
  return { id: `evt_live_${counter}`, type, merchantId, consumerId, data: { n: counter, amountMinor: BigInt(counter * 100) }, createdAtMs: 1_700_000_000_000 + counter };
}

describe.each(STORE_NAMES)('live events over server-sent events on %s', (storeName) => {
  let database: TestDatabase;
  let platform: Platform;
  let other: Store; // another process's connection to the same database
  let server: Awaited<ReturnType<typeof startStreamApp>>;

  beforeAll(async () => {
    database = await createTestDatabase(storeName);
    platform = await openPlatform({ ...database.options, liveEvents: { pollIntervalMs: 50 } });
    other = await openStore(database.options);
    server = await startStreamApp(platform.liveEvents);
  });
  afterAll(async () => {
    await server?.app.close();
    await other?.close();
    await platform?.close();
    await database?.drop();
  });

  const jsonOf = async (id: string) => outboxEventJson(await platform.store.db.selectFrom('outbox_events').selectAll().where('id', '=', id).executeTakeFirstOrThrow());

  it('streams the merchant\'s own events in order, then resumes after Last-Event-ID with only the missed ones', async () => {
    await insertEvents(platform.store.db, [ev('m1'), ev('m1')]); // before anyone listens: not sent
    const first = await openStream(`${server.base}/merchants/m1/events`);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(first.headers['cache-control']).toContain('no-cache');
    await first.waitFor('the stream to open', () => first.frames.length > 0);

    const e1 = ev('m1');
    const x1 = ev('m2');
    const y1 = ev(null, 'c1', 'payment.refunded');
    const e2 = ev('m1', 'c1', 'order.paid');
    const e3 = ev('m1', null, 'settlement.paid');
    await insertEvents(platform.store.db, [e1, x1]);
    await insertEvents(other.db, [y1]);
    await insertEvents(other.db, [e2, e3]); // from "another process"
    await first.waitFor('three events', () => first.events().length >= 3);
    await first.waitFor('a heartbeat', () => first.frames.some((f) => f.comments.includes('heartbeat')));
    await sleep(200);
    const got = first.events();
    expect(got.map((f) => JSON.parse(f.data!).id)).toEqual([e1.id, e2.id, e3.id]);
    expect(got.map((f) => f.event)).toEqual(['payment.succeeded', 'order.paid', 'settlement.paid']);
    for (const f of got) expect(f.data).toBe(await jsonOf(JSON.parse(f.data!).id));
    const seqs = got.map((f) => BigInt(f.id!));
    expect([...seqs].sort((a, b) => (a < b ? -1 : 1))).toEqual(seqs);
    expect(JSON.parse(got[0]!.data!).data.amountMinor).toBe(Number(e1.data.amountMinor));
    await first.close();

    const e4 = ev('m1');
    const e5 = ev('m1');
    await insertEvents(platform.store.db, [e4, ev('m2'), e5]);
    const resumed = await openStream(`${server.base}/merchants/m1/events`, { 'last-event-id': got[2]!.id! });
    await resumed.waitFor('the two missed events', () => resumed.events().length >= 2);
    const e6 = ev('m1');
    await insertEvents(platform.store.db, [e6]);
    await resumed.waitFor('the live one after them', () => resumed.events().length >= 3);
    await sleep(200);
    expect(resumed.events().map((f) => JSON.parse(f.data!).id)).toEqual([e4.id, e5.id, e6.id]);
    await resumed.close();

    // No Last-Event-ID: from now on only.
    const fresh = await openStream(`${server.base}/merchants/m1/events`);
    await fresh.waitFor('the stream to open', () => fresh.frames.length > 0);
    const e7 = ev('m1');
    await insertEvents(platform.store.db, [e7]);
    await fresh.waitFor('the new event', () => fresh.events().length >= 1);
    await sleep(200);
    expect(fresh.events().map((f) => JSON.parse(f.data!).id)).toEqual([e7.id]);
    await fresh.close();
  });

  it('streams a consumer\'s events, whoever the merchant', async () => {
    const stream = await openStream(`${server.base}/consumers/c9/events`);
    await stream.waitFor('the stream to open', () => stream.frames.length > 0);
    const a = ev('m1', 'c9');
    const b = ev(null, 'c9');
    await insertEvents(platform.store.db, [a, ev('m1', 'c8'), b]);
    await stream.waitFor('two events', () => stream.events().length >= 2);
    await sleep(200);
    expect(stream.events().map((f) => JSON.parse(f.data!).id)).toEqual([a.id, b.id]);
    await stream.close();
  });

  it('hands over from replay to live without a gap or a duplicate while events keep coming', async () => {
    const all: string[] = [];
    let writing = true;
    // The first stream is open (subscribed) before the first write, so nothing is "before now".
    const firstStream = await openStream(`${server.base}/merchants/m5/events`);
    await firstStream.waitFor('the stream to open', () => firstStream.frames.length > 0);
    const writer = (async () => {
      for (let i = 0; i < 150; i++) {
        const e = ev('m5');
        all.push(e.id);
        // Half through this process's connection, half through another process's.
        await insertEvents(i % 2 ? other.db : platform.store.db, [e]);
        await sleep(4);
      }
      writing = false;
    })();
    const seen: string[] = [];
    let lastId: string | undefined;
    let connections = 0;
    while (connections < 100) {
      const stream = connections === 0 ? firstStream : await openStream(`${server.base}/merchants/m5/events`, lastId ? { 'last-event-id': lastId } : {});
      connections++;
      if (lastId === undefined) {
        // Without an id to resume from, a stream starts "now": hold the first one until it has something.
        await stream.waitFor('a first event', () => stream.events().length > 0);
      } else if (writing) {
        await sleep(30 + (connections % 5) * 20); // leave at an arbitrary point
      } else {
        await stream.waitFor('the rest', () => seen.length + stream.events().length >= all.length).catch(() => undefined);
      }
      await stream.close();
      const events = stream.events();
      seen.push(...events.map((f) => JSON.parse(f.data!).id as string));
      if (events.length > 0) lastId = events[events.length - 1]!.id;
      if (!writing && seen.length >= all.length) break;
    }
    await writer;
    expect(connections).toBeGreaterThanOrEqual(5);
    expect(seen).toEqual(all);
  });

  it('bounds the replay and says when it cut it short', async () => {
    const small = new LiveEvents(platform.store.db, { pollIntervalMs: 50, replayEventsMax: 3 });
    const app = await startStreamApp(small);
    try {
      const events = [ev('m6'), ev('m6'), ev('m6'), ev('m6'), ev('m6')];
      await insertEvents(platform.store.db, events);
      const stream = await openStream(`${app.base}/merchants/m6/events`, { 'last-event-id': '0' });
      await stream.waitFor('three events', () => stream.events().length >= 3);
      await sleep(200);
      const frames = stream.frames.filter((f) => f.event !== undefined);
      expect(frames[0]).toMatchObject({ event: 'replay_truncated' });
      expect(frames.slice(1).map((f) => JSON.parse(f.data!).id)).toEqual(events.slice(2).map((e) => e.id));
      await stream.close();
    } finally {
      await app.app.close();
      await small.close();
    }
  });

  it('refuses streams past the limit at once with 503 and retry-after, and admits again after one closes', async () => {
    const small = new LiveEvents(platform.store.db, { pollIntervalMs: 50, subscribersMax: 2 });
    const app = await startStreamApp(small);
    try {
      const a = await openStream(`${app.base}/merchants/m7/events`);
      const b = await openStream(`${app.base}/consumers/c7/events`);
      await a.waitFor('open', () => a.frames.length > 0);
      await b.waitFor('open', () => b.frames.length > 0);
      const refused = await openStream(`${app.base}/merchants/m7/events`);
      await refused.finished();
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect(JSON.parse(refused.body())).toMatchObject({ error: { code: 'LIVE_EVENTS_OVERLOADED', type: 'overloaded_error' } });
      await a.close();
      await waitFor('the closed stream to be dropped', () => small.subscriberCount === 1, 5_000);
      const c = await openStream(`${app.base}/merchants/m7/events`);
      expect(c.status).toBe(200);
      await c.close();
      await b.close();
      await waitFor('no subscribers', () => small.subscriberCount === 0, 5_000);
    } finally {
      await app.app.close();
      await small.close();
    }
  });

  it('cuts off a client that stops reading, once too much is queued for it', async () => {
    const live = new LiveEvents(platform.store.db, { pollIntervalMs: 50 });
    const app = Fastify();
    installErrorHandling(app);
    const streams = trackEventStreams(app);
    app.get('/slow', (request, reply) => streamEvents(request, reply, { live, filter: { merchantId: 'm_slow' }, streams, bufferBytesMax: 256 * 1024 }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const socket = net.connect((app.server.address() as AddressInfo).port, '127.0.0.1');
    try {
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write('GET /slow HTTP/1.1\r\nhost: x\r\naccept: text/event-stream\r\n\r\n');
      socket.pause(); // and never reads
      await waitFor('the subscription', () => live.subscriberCount === 1, 5_000);
      const big = 'x'.repeat(50_000);
      for (let i = 0; i < 400 && live.subscriberCount > 0; i += 20) {
        await insertEvents(
          platform.store.db,
          Array.from({ length: 20 }, () => ({ ...ev('m_slow'), data: { filler: big } })),
        );
        await sleep(20);
      }
      await waitFor('the slow client to be cut off', () => live.subscriberCount === 0, 10_000);
    } finally {
      socket.destroy();
      await app.close();
      await live.close();
    }
  });

  it('ends open streams when the server closes, so closing does not hang', async () => {
    const live = new LiveEvents(platform.store.db, { pollIntervalMs: 50 });
    const app = await startStreamApp(live);
    const stream = await openStream(`${app.base}/merchants/m8/events`);
    await stream.waitFor('open', () => stream.frames.length > 0);
    const started = Date.now();
    await app.app.close();
    await stream.finished();
    expect(stream.ended).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(live.subscriberCount).toBe(0);
    await live.close();
  });

  it('ends streams when the live events service closes (the platform shuts down)', async () => {
    const live = new LiveEvents(platform.store.db, { pollIntervalMs: 50 });
    const app = await startStreamApp(live);
    try {
      const stream = await openStream(`${app.base}/merchants/m9/events`);
      await stream.waitFor('open', () => stream.frames.length > 0);
      await live.close();
      await stream.finished();
      expect(stream.ended).toBe(true);
      const after = await openStream(`${app.base}/merchants/m9/events`);
      await after.finished();
      expect(after.status).toBe(503);
    } finally {
      await app.app.close();
    }
  });
});
