import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_NAMES } from '../helpers/stores.js';
import { call, expectError, openTestEnv, staffToken, type TestEnv } from './helpers.js';

describe.each(STORE_NAMES)('Idempotency-Key on %s', (storeName) => {
  let env: TestEnv;
  let admin: string;
  let admin2: string;

  beforeAll(async () => {
    env = await openTestEnv(storeName);
    admin = await staffToken(env.platform, 'admin');
    admin2 = await staffToken(env.platform, 'admin', 'second admin');
    await env.platform.ledger.ensurePlatformAccounts('CNY');
    await env.platform.ledger.createAccounts([{ id: 'w1', type: 'wallet', currency: 'CNY' }]);
  });
  afterAll(async () => env?.close());

  const topUp = (id: string, amountMinor: number) => ({ transfers: [{ id, debitAccountId: 'platform:reserve:CNY', creditAccountId: 'w1', amountMinor, currency: 'CNY' }] });

  it('replays the stored response for the same request, and refuses the key for another', async () => {
    const first = await call(env.base, 'POST', '/v1/ledger/transfers', { token: admin, json: topUp('t1', 100), headers: { 'idempotency-key': 'key-1' } });
    expect(first.status, first.text).toBe(200);
    expect(first.body).toEqual({ results: [{ id: 't1', result: 'ok' }] });
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await call(env.base, 'POST', '/v1/ledger/transfers', { token: admin, json: topUp('t1', 100), headers: { 'idempotency-key': 'key-1' } });
    expect(again.status).toBe(200);
    // The stored response, not a fresh "exists": the request did not run again.
    expect(again.body).toEqual({ results: [{ id: 't1', result: 'ok' }] });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expectError(await call(env.base, 'POST', '/v1/ledger/transfers', { token: admin, json: topUp('t2', 100), headers: { 'idempotency-key': 'key-1' } }), 422, 'IDEMPOTENCY_KEY_MISMATCH');
    expect(await env.platform.ledger.reader.transfer('t2')).toBeUndefined();
    // Another caller's key space is its own.
    const other = await call(env.base, 'POST', '/v1/ledger/transfers', { token: admin2, json: topUp('t3', 5), headers: { 'idempotency-key': 'key-1' } });
    expect(other.body).toEqual({ results: [{ id: 't3', result: 'ok' }] });
    expect((await env.platform.ledger.account('w1')).creditsPosted).toBe(105n);
  });

  it('stores refusals too, and refuses malformed keys', async () => {
    const bad = await call(env.base, 'POST', '/v1/ledger/transfers', { token: admin, json: { transfers: [] }, headers: { 'idempotency-key': 'key-2' } });
    expectError(bad, 400, 'INVALID_REQUEST');
    expectError(await call(env.base, 'POST', '/v1/ledger/transfers', { token: admin, json: topUp('t4', 1), headers: { 'idempotency-key': 'has space' } }), 400, 'IDEMPOTENCY_KEY_INVALID');
    expectError(await call(env.base, 'POST', '/v1/ledger/transfers', { token: admin, json: topUp('t4', 1), headers: { 'idempotency-key': 'k'.repeat(256) } }), 400, 'IDEMPOTENCY_KEY_INVALID');
    expect(await env.platform.ledger.reader.transfer('t4')).toBeUndefined();
  });

  it('makes a retried key rotation rotate once, even when the retries race', async () => {
    const before = (await env.platform.qrKeys.list()).length;
    const responses = await Promise.all(
      Array.from({ length: 4 }, () => call(env.base, 'POST', '/v1/ops/qr/keys/rotate', { token: admin, headers: { 'idempotency-key': 'rotate-once' } })),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    expect(statuses).toContain(200);
    const ok = responses.filter((r) => r.status === 200).map((r) => r.body.keyId);
    expect(new Set(ok).size).toBe(1);
    const replay = await call(env.base, 'POST', '/v1/ops/qr/keys/rotate', { token: admin, headers: { 'idempotency-key': 'rotate-once' } });
    expect(replay.body.keyId).toBe(ok[0]);
    expect((await env.platform.qrKeys.list()).length).toBe(before + 1);
  });
});
