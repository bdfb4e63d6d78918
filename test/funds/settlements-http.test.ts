import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyDay } from '../../src/core/policy/cn-pboc.js';
import { merchantAccountId, walletAccountId } from '../../src/service/accounts.js';
import { settlementId } from '../../src/service/bank/index.js';
import { seal } from '../../src/service/secrets.js';
import { loadMasterKey } from '../../src/service/secrets.js';
import { STORE_NAMES } from '../helpers/stores.js';
import { call, expectError, openTestEnv, staffToken, type TestEnv } from '../http/helpers.js';

describe.each(STORE_NAMES)('POST /v1/ops/settlements/run on %s', (storeName) => {
  let env: TestEnv;
  let admin: string;
  let merchantId: string;

  beforeAll(async () => {
    env = await openTestEnv(storeName);
    admin = await staffToken(env.platform, 'admin');
    const { ledger, store, funds } = env.platform;
    await ledger.ensurePlatformAccounts('CNY');
    await ledger.createAccounts([
      { id: walletAccountId('con_http', 'CNY'), type: 'wallet', currency: 'CNY' },
      { id: merchantAccountId('mer_http', 'CNY'), type: 'merchant', currency: 'CNY' },
    ]);
    expect((await funds.topUp({ consumerId: 'con_http', amountMinor: 50_000n, currency: 'CNY', bankAccount: '6222020200001234' })).status).toBe('succeeded');
    merchantId = 'mer_http';
    await store.db
      .insertInto('merchants')
      .values({
        id: merchantId,
        kind: 'business',
        legal_name: 'Noodle Stall Ltd',
        display_name: 'Noodle Stall',
        licence_number: '91310000000000000X',
        mcc: '5812',
        address: '1 Nanjing Road',
        city: 'Shanghai',
        country_code: 'CN',
        currency: 'CNY',
        settlement_account_sealed: seal(loadMasterKey(env.dataDir), Buffer.from('6222020200009876'), `merchant:${merchantId}:settlement`),
        settlement_account_masked: '****9876',
        status: 'approved',
        owner_consumer_id: null,
        fee_rate_bp: 60,
        created_at_ms: BigInt(Date.now()),
        reviewed_at_ms: BigInt(Date.now()),
      })
      .execute();
    await ledger.createTransfers([
      { id: 'http-pay-1', debitAccountId: walletAccountId('con_http', 'CNY'), creditAccountId: merchantAccountId(merchantId, 'CNY'), amountMinor: 8_800n, currency: 'CNY' },
    ]);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('admits admins only', async () => {
    expectError(await call(env.base, 'POST', '/v1/ops/settlements/run', { json: {} }), 401, 'UNAUTHENTICATED');
    const support = await staffToken(env.platform, 'support');
    expectError(await call(env.base, 'POST', '/v1/ops/settlements/run', { token: support, json: {} }), 403, 'FORBIDDEN');
  });

  it('refuses days that are malformed or have not begun', async () => {
    expectError(await call(env.base, 'POST', '/v1/ops/settlements/run', { token: admin, json: { day: '2026-1-1' } }), 400, 'INVALID_REQUEST');
    expectError(await call(env.base, 'POST', '/v1/ops/settlements/run', { token: admin, json: { day: '2026-02-30' } }), 400, 'INVALID_REQUEST', 'day');
    expectError(await call(env.base, 'POST', '/v1/ops/settlements/run', { token: admin, json: { day: '2999-01-01' } }), 400, 'INVALID_REQUEST', 'day');
    expectError(await call(env.base, 'POST', '/v1/ops/settlements/run', { token: admin, json: { day: '2026-01-01', extra: 1 } }), 400, 'INVALID_REQUEST');
  });

  it('settles today by default and answers per merchant; a second run pays nothing more', async () => {
    const day = policyDay(Date.now());
    const res = await call(env.base, 'POST', '/v1/ops/settlements/run', { token: admin, json: {} });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      day,
      results: [
        {
          merchantId,
          status: 'succeeded',
          settlementId: settlementId(merchantId, day),
          amountMinor: 8_800,
          currency: 'CNY',
          accountMasked: '****9876',
          bankReference: expect.stringMatching(/^SBX/),
          reason: null,
        },
      ],
    });
    expect(res.text).not.toContain('6222020200009876');
    // Without a body, as without a day.
    const again = await call(env.base, 'POST', '/v1/ops/settlements/run', { token: admin });
    expect(again.status).toBe(200);
    // Nothing left to settle: the merchant is not listed again.
    expect(again.body).toEqual({ day, results: [] });
    expect((await env.platform.ledger.account(merchantAccountId(merchantId, 'CNY'))).creditsPosted).toBe(8_800n);
    expect((await env.platform.ledger.verify()).ok).toBe(true);
  });
});
