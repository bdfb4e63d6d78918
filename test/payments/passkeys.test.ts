import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SoftAuthenticator } from '../helpers/soft-authenticator.js';
import { STORE_NAMES } from '../helpers/stores.js';
import { call, expectError, openTestEnv, staffToken, type TestEnv } from '../http/helpers.js';
import { MerchantClient } from '../../src/sdk/index.js';
import { platformAccountId } from '../../src/core/ledger/index.js';

// Passkey devices over HTTP, with a software authenticator standing in for the browser's: sign-up,
// sign-in, and payments approved by an assertion over SHA-256 of exactly the text shown.
const ORIGIN = 'http://localhost:3000';

describe.each(STORE_NAMES)('passkey devices (%s)', (store) => {
  let env: TestEnv;
  let shop: MerchantClient;
  const authenticator = new SoftAuthenticator();
  let token: string;
  let deviceId: string;
  let consumerId: string;

  beforeAll(async () => {
    env = await openTestEnv(store, { platform: { publicUrl: ORIGIN }, app: { publicRateLimitPerMinute: 100_000 } });
    await env.platform.ledger.ensurePlatformAccounts('CNY');
    const applied = await MerchantClient.apply(
      { baseUrl: env.base },
      { legalName: 'Tea Ltd', displayName: 'Tea House', licenceNumber: '91310000MA1FL0000X', mcc: '5814', address: '2 Tea St', city: 'Hangzhou', settlementAccount: '6222020200112233' },
    );
    const admin = await staffToken(env.platform, 'admin');
    expect((await call(env.base, 'POST', `/v1/ops/merchants/${applied.merchant.id}/review`, { token: admin, json: { decision: 'approve' } })).status).toBe(200);
    shop = applied.client;
  });
  afterAll(async () => env?.close());

  it('signs up with a passkey (registration verified server-side) and gets a session', async () => {
    const options = await call(env.base, 'POST', '/v1/consumers/passkey/options', { json: { identifier: `pk-${store}@example.com`, displayName: 'Mei' } });
    expect(options.status, options.text).toBe(201);
    const response = authenticator.create(options.body.options, ORIGIN);
    const signedUp = await call(env.base, 'POST', '/v1/consumers/passkey', { json: { challengeId: options.body.challengeId, response } });
    expect(signedUp.status, signedUp.text).toBe(201);
    expect(signedUp.body.device.kind).toBe('passkey');
    token = signedUp.body.session.token;
    deviceId = signedUp.body.device.id;
    consumerId = signedUp.body.consumer.id;
    // The same registration cannot be replayed.
    expectError(await call(env.base, 'POST', '/v1/consumers/passkey', { json: { challengeId: options.body.challengeId, response } }), 409, 'CHALLENGE_USED');
    const [funded] = await env.platform.ledger.createTransfers([
      { id: `fund-${consumerId}`, debitAccountId: platformAccountId('reserve', 'CNY'), creditAccountId: `wallet:${consumerId}:CNY`, amountMinor: 500_000n, currency: 'CNY' },
    ]);
    expect(funded).toBe('ok');
  });

  it('signs in with an assertion over the login challenge; a registration from another site is refused', async () => {
    const challenge = await call(env.base, 'POST', '/v1/sessions/challenge', { json: { deviceId } });
    expect(challenge.status).toBe(201);
    expect(challenge.body.assertionOptions.allowCredentials).toHaveLength(1);
    const assertion = authenticator.get(challenge.body.assertionOptions, ORIGIN);
    const session = await call(env.base, 'POST', '/v1/sessions', { json: { deviceId, challengeId: challenge.body.challengeId, assertion } });
    expect(session.status, session.text).toBe(201);
    const phishing = await call(env.base, 'POST', '/v1/consumers/passkey/options', { json: { identifier: `pk2-${store}@example.com`, displayName: 'Mei' } });
    const forged = authenticator.create(phishing.body.options, 'https://saoma-login.example');
    expectError(await call(env.base, 'POST', '/v1/consumers/passkey', { json: { challengeId: phishing.body.challengeId, response: forged } }), 401, 'PASSKEY_INVALID');
  });

  it('a passkey with user verification approves a large payment without a PIN (level A); without it, the PIN is required', async () => {
    const order = await shop.createOrder({ amountMinor: 30_000, reference: `pk-order-${store}` });
    const prepared = await call(env.base, 'POST', '/v1/wallet/payments/prepare', { token, json: { code: order.payload } });
    expect(prepared.status, prepared.text).toBe(201);
    expect(prepared.body.pinRequired).toBe(true);
    const noUv = authenticator.get(prepared.body.assertionOptions, ORIGIN, { userVerified: false });
    expectError(await call(env.base, 'POST', '/v1/wallet/payments', { token, json: { challengeId: prepared.body.challengeId, assertion: noUv } }), 403, 'PIN_REQUIRED');
    const withUv = authenticator.get(prepared.body.assertionOptions, ORIGIN);
    const paid = await call(env.base, 'POST', '/v1/wallet/payments', { token, json: { challengeId: prepared.body.challengeId, assertion: withUv } });
    expect(paid.status, paid.text).toBe(201);
    expect(paid.body).toMatchObject({ status: 'succeeded', level: 'A', amountMinor: 30_000 });
  });

  it('an assertion made for one payment cannot approve another (other amount): the challenge is bound to the text', async () => {
    const small = await call(env.base, 'POST', '/v1/wallet/payments/prepare', { token, json: { code: (await shop.createOrder({ amountMinor: 100, reference: `pk-small-${store}` })).payload } });
    const big = await call(env.base, 'POST', '/v1/wallet/payments/prepare', { token, json: { code: (await shop.createOrder({ amountMinor: 99_900, reference: `pk-big-${store}` })).payload } });
    const forSmall = authenticator.get(small.body.assertionOptions, ORIGIN);
    const before = await env.platform.ledger.account(`wallet:${consumerId}:CNY`);
    const res = await call(env.base, 'POST', '/v1/wallet/payments', { token, json: { challengeId: big.body.challengeId, assertion: forSmall } });
    expectError(res, 401, 'PASSKEY_INVALID', 'challenge');
    const after = await env.platform.ledger.account(`wallet:${consumerId}:CNY`);
    expect(after.debitsPosted).toBe(before.debitsPosted);
    // A P-256 signature is not accepted for a passkey device.
    expectError(await call(env.base, 'POST', '/v1/wallet/payments', { token, json: { challengeId: big.body.challengeId, signature: 'A'.repeat(86) } }), 400, 'INVALID_REQUEST', 'assertion');
  });
});
