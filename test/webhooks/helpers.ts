import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { outboxEventQuery, type OutboxEventInput } from '../../src/service/outbox.js';
import type { Database } from '../../src/store/schema.js';

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Writes events in one transaction, through the outbox query as producers do. */
export async function insertEvents(db: Kysely<Database>, events: readonly OutboxEventInput[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
    for (const event of events) await outboxEventQuery(tx, event).execute();
  });
}

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly receivedAtMs: number;
  /** What the receiver did: answered 200 in time, 500, or answered only after the sender's timeout. */
  readonly outcome: 'ok' | 'error' | 'late';
}

export type Behaviour = (path: string) => 'ok' | 'error' | 'late';

/** A real HTTP receiver on the loopback interface that records every request and answers as `behaviour` says. */
export async function startReceiver(behaviour: Behaviour, lateMs: number) {
  const received: ReceivedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const outcome = behaviour(path);
      received.push({ path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), receivedAtMs: Date.now(), outcome });
      if (outcome === 'ok') res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      else if (outcome === 'error') res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
      else setTimeout(() => res.writeHead(200).end('too late'), lateMs).unref();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    received,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it holds; fails with `what` after the timeout. */
export async function waitFor(what: string, probe: () => Promise<boolean> | boolean, timeoutMs = 60_000, everyMs = 50): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
