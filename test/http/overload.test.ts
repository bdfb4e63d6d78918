import type { IncomingMessage, Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STORE_NAMES } from '../helpers/stores.js';
import { call, expectError, openTestEnv, sleep, staffToken, type Res, type TestEnv } from './helpers.js';

/**
 * Resolves when the server has received the request tagged `x-test-id: id`. Listening on the
 * raw server's 'request' event, after Fastify's own listener: by then its onRequest hooks (and
 * so the in-flight count) have run for that request.
 */
function watchArrivals(server: Server) {
  const seen = new Set<string>();
  const waiters = new Map<string, () => void>();
  server.on('request', (req: IncomingMessage) => {
    const id = req.headers['x-test-id'];
    if (typeof id !== 'string') return;
    seen.add(id);
    waiters.get(id)?.();
  });
  return (id: string) =>
    seen.has(id)
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`request ${id} did not arrive`)), 5_000);
          waiters.set(id, () => {
            clearTimeout(timer);
            resolve();
          });
        });
}

/** A POST whose body the test sends in two parts, holding the request open in between. */
function heldRequest(base: string, token: string, path: string, head: string, tail: string) {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      c.enqueue(encoder.encode(head));
    },
  });
  const abort = new AbortController();
  const response = fetch(base + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-test-id': head },
    body,
    duplex: 'half',
    signal: AbortSignal.any([abort.signal, AbortSignal.timeout(20_000)]),
  } as RequestInit).then(async (r) => ({ status: r.status, body: JSON.parse(await r.text()) }));
  return {
    response,
    release() {
      controller.enqueue(encoder.encode(tail));
      controller.close();
    },
    abort() {
      abort.abort();
      response.catch(() => undefined);
    },
  };
}

function expectOverloaded(res: Res) {
  expectError(res, 503, 'LEDGER_OVERLOADED');
  expect(res.body.error.type).toBe('overloaded_error');
  expect(res.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
}

/** Retries `probe` until `done` holds or the time is up; returns the last result. */
async function until<T>(probe: () => Promise<T>, done: (t: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > end) return value;
    await sleep(10);
  }
}

describe.each(STORE_NAMES)('overload and rate limits over HTTP on %s', (storeName) => {
  describe('in-flight request limit', () => {
    let env: TestEnv;
    let admin: string;
    let arrived: (id: string) => Promise<void>;
    /** Starts a held request and waits until the server is serving it. */
    async function hold(id: string) {
      const head = `{"accounts":[{"id":"${id}","type":"wallet",`;
      const held = heldRequest(env.base, admin, '/v1/ledger/accounts', head, '"currency":"CNY"}]}');
      cleanup.push(held);
      await arrived(head);
      return held;
    }
    beforeAll(async () => {
      env = await openTestEnv(storeName, { app: { inflightMax: 2 } });
      admin = await staffToken(env.platform, 'admin');
      arrived = watchArrivals(env.server.app.server);
    });
    // A failed test must not leave requests open: the server would wait for them on close.
    const cleanup: Array<{ abort(): void }> = [];
    afterEach(() => {
      for (const h of cleanup.splice(0)) h.abort();
    });
    afterAll(async () => {
      await env?.close();
    });

    it('past capacity, answers 503 with Retry-After at once; held requests finish; nothing hangs', async () => {
      // Two requests being served (their bodies still on the way): the server is full.
      const held = [await hold('slow-0'), await hold('slow-1')];

      const started = Date.now();
      const refused = await Promise.all([
        ...Array.from({ length: 6 }, () => call(env.base, 'GET', '/v1/ledger/verify', { token: admin, timeoutMs: 5_000 })),
        ...Array.from({ length: 6 }, (_, i) =>
          call(env.base, 'POST', '/v1/ledger/accounts', { token: admin, json: { accounts: [{ id: `refused-${i}`, type: 'wallet', currency: 'CNY' }] }, timeoutMs: 5_000 }),
        ),
        call(env.base, 'GET', '/healthz', { timeoutMs: 5_000 }),
        call(env.base, 'GET', '/openapi.json', { timeoutMs: 5_000 }),
      ]);
      for (const res of refused) expectOverloaded(res);
      expect(Date.now() - started).toBeLessThan(3_000);

      for (const h of held) h.release();
      const results = await Promise.all(held.map((h) => h.response));
      expect(results).toEqual([
        { status: 200, body: { results: [{ id: 'slow-0', result: 'ok' }] } },
        { status: 200, body: { results: [{ id: 'slow-1', result: 'ok' }] } },
      ]);
      // The slots are free again, and the refused writes were never made.
      const after = await until(() => call(env.base, 'GET', '/v1/ledger/accounts/refused-0', { token: admin }), (r) => r.status !== 503);
      expectError(after, 404, 'ACCOUNT_NOT_FOUND');
      expect((await call(env.base, 'GET', '/v1/ledger/accounts/slow-1', { token: admin })).status).toBe(200);
    });

    it('a client that goes away mid-request gives its slot back', async () => {
      const kept = await hold('kept');
      const gone = await hold('gone');
      expectOverloaded(await call(env.base, 'GET', '/healthz'));
      gone.abort();
      // One slot is held by `kept`; the aborted one must come back, or everything stays 503.
      const ok = await until(() => call(env.base, 'GET', '/healthz'), (r) => r.status === 200);
      expect(ok.status).toBe(200);
      kept.release();
      expect((await kept.response).status).toBe(200);
      expectError(await call(env.base, 'GET', '/v1/ledger/accounts/gone', { token: admin }), 404, 'ACCOUNT_NOT_FOUND');
    });
  });

  describe('ledger writer queue limit', () => {
    let env: TestEnv;
    let admin: string;
    const reserve = 'platform:reserve:CNY';
    beforeAll(async () => {
      env = await openTestEnv(storeName, { platform: { writer: { queueItemsMax: 10 } } });
      admin = await staffToken(env.platform, 'admin');
      await env.platform.ledger.ensurePlatformAccounts('CNY');
      expect(await env.platform.ledger.createAccounts([{ id: 'flood', type: 'wallet', currency: 'CNY' }])).toEqual(['ok']);
    });
    afterAll(async () => {
      await env?.close();
    });

    it('refuses part of a flood with LEDGER_OVERLOADED and Retry-After, serves the rest correctly, and the books verify', async () => {
      const REQUESTS = 64;
      const PER_REQUEST = 6;
      const ids = (r: number) => Array.from({ length: PER_REQUEST }, (_, i) => `flood-${r}-${i}`);
      // Open the client's connections first, so that the flood arrives at once rather than at the
      // pace of TCP handshakes (which a synchronous SQLite writer otherwise keeps up with).
      await Promise.all(Array.from({ length: REQUESTS }, () => call(env.base, 'GET', '/healthz')));
      const responses = await Promise.all(
        Array.from({ length: REQUESTS }, (_, r) =>
          call(env.base, 'POST', '/v1/ledger/transfers', {
            token: admin,
            timeoutMs: 15_000,
            json: { transfers: ids(r).map((id, i) => ({ id, debitAccountId: reserve, creditAccountId: 'flood', amountMinor: r * 10 + i + 1, currency: 'CNY' })) },
          }),
        ),
      );
      const served: number[] = [];
      const refused: number[] = [];
      responses.forEach((res, r) => {
        if (res.status === 503) {
          expectOverloaded(res);
          refused.push(r);
        } else {
          expect(res.status, res.text).toBe(200);
          expect(res.body).toEqual({ results: ids(r).map((id) => ({ id, result: 'ok' })) });
          served.push(r);
        }
      });
      expect(refused.length, 'some requests are refused').toBeGreaterThan(0);
      expect(served.length, 'some requests are served').toBeGreaterThan(0);
      // The refusals are the writer's: exactly one per refused request.
      expect(env.platform.writer.stats.rejectedOverloaded).toBe(refused.length);

      // Exactly the served transfers are in the ledger, and the balance is their sum.
      const stored = (await env.platform.store.db.selectFrom('ledger_transfers').select('id').where('credit_account_id', '=', 'flood').execute()).map((t) => t.id).sort();
      expect(stored).toEqual(served.flatMap(ids).sort());
      const expectedSum = served.reduce((sum, r) => sum + ids(r).reduce((s, _id, i) => s + r * 10 + i + 1, 0), 0);
      const account = await call(env.base, 'GET', '/v1/ledger/accounts/flood', { token: admin });
      expect(account.body.balances).toEqual({ debitsPendingMinor: 0, debitsPostedMinor: 0, creditsPendingMinor: 0, creditsPostedMinor: expectedSum });

      const verify = await call(env.base, 'GET', '/v1/ledger/verify', { token: admin });
      expect(verify.status).toBe(200);
      expect(verify.body.ok).toBe(true);
      expect(verify.body.violations).toEqual([]);

      // A refused request retried after the flood goes through.
      const retry = await call(env.base, 'POST', '/v1/ledger/transfers', {
        token: admin,
        json: { transfers: ids(refused[0]!).map((id, i) => ({ id, debitAccountId: reserve, creditAccountId: 'flood', amountMinor: refused[0]! * 10 + i + 1, currency: 'CNY' })) },
      });
      expect(retry.body).toEqual({ results: ids(refused[0]!).map((id) => ({ id, result: 'ok' })) });
    });
  });

  describe('rate limit', () => {
    let env: TestEnv;
    let admin: string;
    beforeAll(async () => {
      env = await openTestEnv(storeName, { app: { rateLimitPerMinute: 5 } });
      admin = await staffToken(env.platform, 'admin');
    });
    afterAll(async () => {
      await env?.close();
    });

    it('answers 429 RATE_LIMITED past the limit, for every route of the client', async () => {
      for (let i = 0; i < 5; i++) {
        const res = await call(env.base, 'GET', i % 2 ? '/healthz' : '/v1/ledger/verify', { token: admin });
        expect(res.status, `request ${i + 1}: ${res.text}`).toBe(200);
        expect([res.headers.get('x-ratelimit-limit'), res.headers.get('x-ratelimit-remaining')]).toEqual(['5', String(4 - i)]);
      }
      for (const [method, path] of [
        ['GET', '/healthz'],
        ['GET', '/v1/ledger/verify'],
        ['POST', '/v1/ledger/accounts'],
      ] as const) {
        const res = await call(env.base, method, path, { token: admin, ...(method === 'POST' ? { json: { accounts: [{ id: 'rl', type: 'wallet', currency: 'CNY' }] } } : {}) });
        expectError(res, 429, 'RATE_LIMITED');
        expect(res.body.error.type).toBe('rate_limit_error');
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(await env.platform.ledger.reader.account('rl')).toBeUndefined();
      // The limit comes before authentication: callers without a valid token are limited too
      // (they cannot make the server look up tokens without end), and unknown routes as well.
      expectError(await call(env.base, 'GET', '/v1/ledger/verify'), 429, 'RATE_LIMITED');
      expectError(await call(env.base, 'GET', '/v1/ledger/verify', { token: 'sk_staff_guess' }), 429, 'RATE_LIMITED');
      expectError(await call(env.base, 'POST', '/v1/ledger/transfers', { raw: '{"transfers": [' }), 429, 'RATE_LIMITED');
      expectError(await call(env.base, 'GET', '/v1/nothing'), 429, 'RATE_LIMITED');
    });

    it('counts refused anonymous requests against the limit', async () => {
      const fresh = await openTestEnv(storeName, { app: { rateLimitPerMinute: 5 } });
      try {
        for (let i = 0; i < 5; i++) expectError(await call(fresh.base, 'GET', '/v1/ledger/verify', { token: `sk_staff_guess${i}` }), 401, 'UNAUTHENTICATED');
        expectError(await call(fresh.base, 'GET', '/v1/ledger/verify', { token: 'sk_staff_guess5' }), 429, 'RATE_LIMITED');
      } finally {
        await fresh.close();
      }
    });
  });
});
