import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPUP_MINOR_MAX } from '../../src/core/limits.js';
import type { Platform } from '../../src/service/platform.js';
import { STORE_NAMES } from '../helpers/stores.js';
import { call, expectError, openTestEnv, sleep, type TestEnv } from '../http/helpers.js';

/** A consumer signed up with a fresh P-256 device key; answers the wallet session token. */
async function signUp(platform: Platform): Promise<{ consumerId: string; token: string }> {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const { consumer, session } = await platform.consumers.signUp({
    identifier: `funds-${randomBytes(6).toString('hex')}@example.com`,
    displayName: 'Funds Tester',
    device: { publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64url'), label: 'test phone' },
  });
  await platform.consumers.setPin(consumer.id, { pin: PIN });
  return { consumerId: consumer.id, token: session.token };
}

const PIN = '258036';

describe.each(STORE_NAMES)('wallet top-ups and withdrawals over HTTP on %s', (storeName) => {
  let env: TestEnv;
  let alice: { consumerId: string; token: string };
  let bob: { consumerId: string; token: string };

  beforeAll(async () => {
    env = await openTestEnv(storeName);
    await env.platform.ledger.ensurePlatformAccounts('CNY');
    alice = await signUp(env.platform);
    bob = await signUp(env.platform);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('needs a wallet session', async () => {
    expectError(await call(env.base, 'POST', '/v1/wallet/topups', { json: { amountMinor: 100, currency: 'CNY', bankAccount: '6222020200001234' } }), 401, 'UNAUTHENTICATED');
    expectError(await call(env.base, 'GET', '/v1/wallet/bank-transfers'), 401, 'UNAUTHENTICATED');
    expectError(await call(env.base, 'GET', '/v1/wallet/bank-transfers/bt_x', { token: 'ws_nope' }), 401, 'UNAUTHENTICATED');
  });

  it('tops up, withdraws, and shows both; the account number never leaves masked', async () => {
    const topUp = await call(env.base, 'POST', '/v1/wallet/topups', { token: alice.token, json: { amountMinor: 20_000, currency: 'CNY', bankAccount: '6222020200001234' } });
    expect(topUp.status, topUp.text).toBe(201);
    expect(topUp.body).toEqual({
      id: expect.stringMatching(/^bt_/),
      kind: 'topup',
      status: 'succeeded',
      amountMinor: 20_000,
      currency: 'CNY',
      accountMasked: '****1234',
      bankReference: expect.stringMatching(/^SBX/),
      reason: null,
      createdAtMs: expect.any(Number),
      updatedAtMs: expect.any(Number),
    });
    await sleep(3); // listed newest first, by the millisecond
    const withdrawal = await call(env.base, 'POST', '/v1/wallet/withdrawals', { token: alice.token, json: { amountMinor: 5_000, currency: 'CNY', bankAccount: '6222020200005678', pin: PIN } });
    expect(withdrawal.status, withdrawal.text).toBe(201);
    expect(withdrawal.body).toMatchObject({ kind: 'withdrawal', status: 'succeeded', amountMinor: 5_000, accountMasked: '****5678' });
    for (const res of [topUp, withdrawal]) expect(res.text).not.toMatch(/62220202000/);
    expect((await env.platform.ledger.account(`wallet:${alice.consumerId}:CNY`)).creditsPosted - (await env.platform.ledger.account(`wallet:${alice.consumerId}:CNY`)).debitsPosted).toBe(15_000n);

    const list = await call(env.base, 'GET', '/v1/wallet/bank-transfers?limit=1', { token: alice.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((t: { id: string }) => t.id)).toEqual([withdrawal.body.id]);
    const next = await call(env.base, 'GET', `/v1/wallet/bank-transfers?limit=1&cursor=${list.body.nextCursor}`, { token: alice.token });
    expect(next.body).toEqual({ items: [topUp.body], nextCursor: null });
    const one = await call(env.base, 'GET', `/v1/wallet/bank-transfers/${topUp.body.id}`, { token: alice.token });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(topUp.body);

    // Someone else's id is as good as none.
    expectError(await call(env.base, 'GET', `/v1/wallet/bank-transfers/${topUp.body.id}`, { token: bob.token }), 404, 'BANK_TRANSFER_NOT_FOUND', 'id');
    expect((await call(env.base, 'GET', '/v1/wallet/bank-transfers', { token: bob.token })).body).toEqual({ items: [], nextCursor: null });
    expectError(await call(env.base, 'GET', '/v1/wallet/bank-transfers?cursor=zzz', { token: alice.token }), 400, 'INVALID_CURSOR', 'cursor');
  });

  it('answers declines and transport failures in the body, and refuses what the wallet does not cover', async () => {
    const declined = await call(env.base, 'POST', '/v1/wallet/topups', { token: bob.token, json: { amountMinor: 300, currency: 'CNY', bankAccount: '6222020200000000' } });
    expect(declined.status).toBe(201);
    expect(declined.body).toMatchObject({ status: 'declined', reason: 'insufficient_funds' });
    const pending = await call(env.base, 'POST', '/v1/wallet/topups', { token: bob.token, json: { amountMinor: 300, currency: 'CNY', bankAccount: '6222020211111111' } });
    expect(pending.status).toBe(201);
    expect(pending.body).toMatchObject({ status: 'bank_sent', bankReference: null });
    expectError(
      await call(env.base, 'POST', '/v1/wallet/withdrawals', { token: bob.token, json: { amountMinor: 1, currency: 'CNY', bankAccount: '6222020200005678', pin: PIN } }),
      402,
      'INSUFFICIENT_FUNDS',
    );
  });

  it('refuses bad amounts, currencies and account numbers with the documented codes', async () => {
    const post = (json: unknown) => call(env.base, 'POST', '/v1/wallet/topups', { token: alice.token, json });
    const good = { amountMinor: 100, currency: 'CNY', bankAccount: '6222020200001234' };
    expectError(await post({ ...good, amountMinor: 0 }), 400, 'INVALID_REQUEST');
    expectError(await post({ ...good, amountMinor: TOPUP_MINOR_MAX + 1 }), 400, 'INVALID_REQUEST');
    expectError(await post({ ...good, amountMinor: '100' }), 400, 'INVALID_REQUEST');
    expectError(await call(env.base, 'POST', '/v1/wallet/topups', { token: alice.token, raw: '{"amountMinor":1.5,"currency":"CNY","bankAccount":"6222020200001234"}' }), 400, 'INVALID_JSON_NUMBER');
    expectError(await post({ ...good, currency: 'USD' }), 400, 'INVALID_REQUEST', 'currency');
    const bad = await post({ ...good, bankAccount: '6222-0202-0000-1234' });
    expectError(bad, 400, 'BANK_ACCOUNT_INVALID', 'bankAccount');
    expect(bad.text).not.toContain('0202');
    expectError(await post({ ...good, extra: true }), 400, 'INVALID_REQUEST');
  });

  it('replays a top-up sent again with the same Idempotency-Key instead of pulling twice', async () => {
    const headers = { 'idempotency-key': `topup-${randomBytes(4).toString('hex')}` };
    const json = { amountMinor: 700, currency: 'CNY', bankAccount: '6222020200001234' };
    const first = await call(env.base, 'POST', '/v1/wallet/topups', { token: alice.token, json, headers });
    const second = await call(env.base, 'POST', '/v1/wallet/topups', { token: alice.token, json, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    const mine = await call(env.base, 'GET', '/v1/wallet/bank-transfers?limit=100', { token: alice.token });
    expect(mine.body.items.filter((t: { amountMinor: number }) => t.amountMinor === 700)).toHaveLength(1);
  });
});
