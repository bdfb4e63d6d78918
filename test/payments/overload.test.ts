import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDEMPOTENCY_INFLIGHT_STALE_MS } from '../../src/core/limits.js';
import { createHash } from 'node:crypto';
import { WalletClient, signMessage, type MerchantClient } from '../../src/sdk/index.js';
import { STORE_NAMES } from '../helpers/stores.js';
import { call, expectError, openTestEnv, staffToken, type TestEnv } from '../http/helpers.js';
import { platformAccountId } from '../../src/core/ledger/index.js';
import { MerchantClient as Merchants } from '../../src/sdk/index.js';
import { uniqueIdentifier } from './world.js';

// Festival-day load: past capacity every request is answered at once (503 + Retry-After), and a
// payment is either made or safely retried with its Idempotency-Key: never lost, never doubled.
const WALLETS = 24;

describe.each(STORE_NAMES)('payments under overload (%s)', (store) => {
  let env: TestEnv;
  let till: string;
  let shop: MerchantClient;
  const statuses: number[] = [];
  const countingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    statuses.push(response.status);
    return response;
  };

  beforeAll(async () => {
    env = await openTestEnv(store, { app: { inflightMax: 4, publicRateLimitPerMinute: 1_000_000, rateLimitPerMinute: 1_000_000 } });
    await env.platform.ledger.ensurePlatformAccounts('CNY');
    const applied = await Merchants.apply(
      { baseUrl: env.base },
      { legalName: 'Fair Ltd', displayName: 'Temple Fair Stall', licenceNumber: '91310000MA1FL0000X', mcc: '5812', address: 'Fair Sq', city: 'Beijing', settlementAccount: '6222020200112233' },
    );
    const admin = await staffToken(env.platform, 'admin');
    expect((await call(env.base, 'POST', `/v1/ops/merchants/${applied.merchant.id}/review`, { token: admin, json: { decision: 'approve' } })).status).toBe(200);
    shop = applied.client;
    till = (await shop.createTill('stall')).payload;
  });
  afterAll(async () => env?.close());

  it('answers every request at once past capacity and loses or doubles no payment when clients retry with their keys', async () => {
    const wallets: WalletClient[] = [];
    for (let i = 0; i < WALLETS; i++) {
      const w = new WalletClient({ baseUrl: env.base, fetch: countingFetch, retriesMax: 200 });
      await w.signUp({ identifier: uniqueIdentifier('fest'), displayName: `Visitor ${i}` });
      const [funded] = await env.platform.ledger.createTransfers([
        { id: `fund-${w.consumerId}`, debitAccountId: platformAccountId('reserve', 'CNY'), creditAccountId: `wallet:${w.consumerId}:CNY`, amountMinor: 10_000n, currency: 'CNY' },
      ]);
      expect(funded).toBe('ok');
      wallets.push(w);
    }
    const prepared = await Promise.all(wallets.map((w) => w.prepare({ code: till, amountMinor: 650 })));
    statuses.length = 0;
    const payments = await Promise.all(wallets.map((w, i) => w.confirmPrepared(prepared[i]!)));
    expect(payments.every((p) => p.status === 'succeeded')).toBe(true);
    // The server did shed load (and said so), and the SDK retried with the same key.
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 201 || s === 503 || s === 409)).toBe(true);
    const rows = await env.platform.store.db.selectFrom('payments').select(['payer_consumer_id']).execute();
    expect(rows.length).toBe(WALLETS);
    expect(new Set(rows.map((r) => r.payer_consumer_id)).size).toBe(WALLETS);
    for (const w of wallets) expect((await w.me()).balance.availableMinor).toBe(10_000 - 650);
    expect((await env.platform.ledger.verify()).ok).toBe(true);

  });

  it('lets a retry take over an Idempotency-Key left in flight by a request that died, and pays once', async () => {
    const w = new WalletClient({ baseUrl: env.base });
    await w.signUp({ identifier: uniqueIdentifier('crash'), displayName: 'Crash Test' });
    await env.platform.ledger.createTransfers([
      { id: `fund-${w.consumerId}`, debitAccountId: platformAccountId('reserve', 'CNY'), creditAccountId: `wallet:${w.consumerId}:CNY`, amountMinor: 5_000n, currency: 'CNY' },
    ]);
    const prepared = await w.prepare({ code: till, amountMinor: 300 });
    const body = { challengeId: prepared.challengeId, signature: await signMessage(w.device!.key, prepared.message) };
    const actor = `consumer:${w.consumerId}`;
    const fingerprint = createHash('sha256').update('POST /v1/wallet/payments\n').update(JSON.stringify(body)).digest('hex');
    // What a process that died mid-request leaves behind: the key claimed, no response stored.
    await env.platform.store.db
      .insertInto('idempotency_keys')
      .values({ actor, key: 'pay-1', fingerprint, status_code: null, response_body: null, created_at_ms: BigInt(Date.now()) })
      .execute();
    const send = () => call(env.base, 'POST', '/v1/wallet/payments', { token: w.sessionToken, headers: { 'idempotency-key': 'pay-1' }, json: body });
    // While it may still be running, a retry is told to wait.
    const busy = await send();
    expectError(busy, 409, 'IDEMPOTENCY_KEY_IN_USE');
    expect(busy.headers.get('retry-after')).toBe('1');
    await env.platform.store.db.updateTable('idempotency_keys').set({ created_at_ms: BigInt(Date.now() - IDEMPOTENCY_INFLIGHT_STALE_MS - 1000) }).where('actor', '=', actor).execute();
    // Abandoned: the retry takes the key over and pays; the next retry gets the stored answer.
    const paid = await send();
    expect(paid.status, paid.text).toBe(201);
    const replay = await send();
    expect(replay.text).toBe(paid.text);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await w.me()).balance.availableMinor).toBe(5_000 - 300);
  });
});
