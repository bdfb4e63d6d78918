import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { HTTP_BODY_BYTES_MAX, LEDGER_BATCH_ITEMS_MAX } from '../../src/core/limits.js';
import { STORE_NAMES } from '../helpers/stores.js';
import { call, expectError, openTestEnv, staffToken, type Res, type TestEnv } from './helpers.js';

// Bad input over real HTTP: every refusal is a 4xx in the one error format with a stable code,
// never a 5xx, and nothing is half-written: after each case the whole ledger is as it was.
describe.each(STORE_NAMES)('bad input to the staff ledger API on %s', (storeName) => {
  let env: TestEnv;
  let admin: string;
  const reserve = 'platform:reserve:CNY';

  beforeAll(async () => {
    env = await openTestEnv(storeName);
    admin = await staffToken(env.platform, 'admin');
    await env.platform.ledger.ensurePlatformAccounts('CNY');
    const accounts = await call(env.base, 'POST', '/v1/ledger/accounts', {
      token: admin,
      json: { accounts: [{ id: 'w', type: 'wallet', currency: 'CNY' }, { id: 'm', type: 'merchant', currency: 'CNY' }] },
    });
    expect(accounts.body.results.map((r: { result: string }) => r.result)).toEqual(['ok', 'ok']);
    const topUp = await call(env.base, 'POST', '/v1/ledger/transfers', {
      token: admin,
      json: { transfers: [{ id: 'seed', debitAccountId: reserve, creditAccountId: 'w', amountMinor: 1_000, currency: 'CNY' }] },
    });
    expect(topUp.body.results).toEqual([{ id: 'seed', result: 'ok' }]);
  });
  afterAll(async () => {
    await env?.close();
  });

  /** The whole ledger as stored, read from the database directly (not through the API under test). */
  async function ledgerState() {
    const db = env.platform.store.db;
    const accounts = await db.selectFrom('ledger_accounts').selectAll().orderBy('id').execute();
    const transfers = await db.selectFrom('ledger_transfers').select(['id', 'ts']).orderBy('id').execute();
    return { accounts: accounts.map((a) => JSON.stringify(a, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))), transfers: transfers.map((t) => t.id) };
  }
  let before: Awaited<ReturnType<typeof ledgerState>>;
  beforeEach(async () => {
    before = await ledgerState();
  });
  afterEach(async () => {
    // Nothing half-written, whatever the case was.
    expect(await ledgerState()).toEqual(before);
    // And the ledger still verifies.
    const v = await env.platform.ledger.verify();
    expect(v.violations).toEqual([]);
  });

  const postRaw = (path: string, raw: string | Uint8Array, headers?: Record<string, string>) => call(env.base, 'POST', path, { token: admin, raw, ...(headers ? { headers } : {}) });
  const post = (path: string, json: unknown) => call(env.base, 'POST', path, { token: admin, json });
  const get = (path: string) => call(env.base, 'GET', path, { token: admin });
  const t = (extra: Record<string, unknown> = {}) => ({ id: 'bad-1', debitAccountId: 'w', creditAccountId: 'm', amountMinor: 10, currency: 'CNY', ...extra });
  /** A transfer body with the amount written verbatim into the JSON text. */
  const withAmountText = (amountText: string) =>
    `{"transfers":[{"id":"bad-1","debitAccountId":"w","creditAccountId":"m","amountMinor":${amountText},"currency":"CNY"}]}`;

  async function expectTransferAbsent(id: string) {
    expectError(await get(`/v1/ledger/transfers/${id}`), 404, 'TRANSFER_NOT_FOUND', 'id');
  }

  describe('per-item refusals: 200 with a result code per item, nothing stored', () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['unknown debit account', { debitAccountId: 'nobody' }, 'debit_account_not_found'],
      ['unknown credit account', { creditAccountId: 'nobody' }, 'credit_account_not_found'],
      ['currency other than the accounts’', { currency: 'USD' }, 'transfer_must_have_the_same_currency_as_accounts'],
      ['same account on both sides', { creditAccountId: 'w' }, 'accounts_must_be_different'],
      ['more than the wallet holds', { amountMinor: 1_001 }, 'exceeds_credits'],
      ['largest safe amount (kept exact, refused as overdraft)', { amountMinor: Number.MAX_SAFE_INTEGER }, 'exceeds_credits'],
      ['a timeout on a single-phase transfer', { timeoutMs: 1_000 }, 'timeout_reserved_for_pending_transfer'],
      ['post of an unknown pending transfer', { debitAccountId: undefined, creditAccountId: undefined, amountMinor: undefined, currency: undefined, pendingId: 'nope', flags: { postPending: true } }, 'pending_transfer_not_found'],
      ['amount missing', { amountMinor: undefined }, 'amount_missing'],
      ['pending and post at once', { flags: { pending: true, postPending: true } }, 'flags_are_mutually_exclusive'],
    ];
    it.each(cases)('%s', async (_name, extra, result) => {
      const res = await post('/v1/ledger/transfers', { transfers: [t(extra)] });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toEqual({ results: [{ id: 'bad-1', result }] });
      await expectTransferAbsent('bad-1');
    });

    it('an account of an unknown currency code', async () => {
      const res = await post('/v1/ledger/accounts', { accounts: [{ id: 'w-xxx', type: 'wallet', currency: 'XXX' }] });
      expect(res.body).toEqual({ results: [{ id: 'w-xxx', result: 'currency_invalid' }] });
      expectError(await get('/v1/ledger/accounts/w-xxx'), 404, 'ACCOUNT_NOT_FOUND', 'id');
    });

    it('a batch of exactly the maximum size is accepted (each item refused on its own here)', async () => {
      const transfers = Array.from({ length: LEDGER_BATCH_ITEMS_MAX }, (_, i) => t({ id: `max-${i}`, debitAccountId: 'nobody' }));
      const res = await post('/v1/ledger/transfers', { transfers });
      expect(res.status, res.text.slice(0, 300)).toBe(200);
      expect(res.body.results).toHaveLength(LEDGER_BATCH_ITEMS_MAX);
      expect(new Set(res.body.results.map((r: { result: string }) => r.result))).toEqual(new Set(['debit_account_not_found']));
    });
  });

  describe('schema refusals of transfers: 400, the whole request refused', () => {
    const cases: Array<[string, string, number, string, string | undefined]> = [
      ['negative amount', withAmountText('-5'), 400, 'INVALID_REQUEST', 'transfers.0.amountMinor'],
      ['zero amount', withAmountText('0'), 400, 'INVALID_REQUEST', 'transfers.0.amountMinor'],
      ['negative zero amount', withAmountText('-0'), 400, 'INVALID_REQUEST', 'transfers.0.amountMinor'],
      ['fractional amount 12.5', withAmountText('12.5'), 400, 'INVALID_JSON_NUMBER', undefined],
      ['amount 10.0 (an integer value written as a fraction)', withAmountText('10.0'), 400, 'INVALID_JSON_NUMBER', undefined],
      ['unsafe integer 9007199254740993 (would round to …992)', withAmountText('9007199254740993'), 400, 'INVALID_JSON_NUMBER', undefined],
      ['amount above the limit (2^53)', withAmountText('9007199254740992'), 400, 'INVALID_JSON_NUMBER', undefined],
      ['a 40-digit amount', withAmountText('1' + '0'.repeat(39)), 400, 'INVALID_JSON_NUMBER', undefined],
      ['exponent 1e3', withAmountText('1e3'), 400, 'INVALID_JSON_NUMBER', undefined],
      ['exponent 1E+3', withAmountText('1E+3'), 400, 'INVALID_JSON_NUMBER', undefined],
      ['amount as a string', withAmountText('"100"'), 400, 'INVALID_REQUEST', 'transfers.0.amountMinor'],
      ['amount as a boolean', withAmountText('true'), 400, 'INVALID_REQUEST', 'transfers.0.amountMinor'],
      ['amount null', withAmountText('null'), 400, 'INVALID_REQUEST', 'transfers.0.amountMinor'],
      ['an unsafe number in an unrelated field', JSON.stringify({ transfers: [t()] }).replace('"currency":"CNY"', '"currency":"CNY","timeoutMs":12345678901234567890'), 400, 'INVALID_JSON_NUMBER', undefined],
      ['id with spaces', JSON.stringify({ transfers: [t({ id: 'has space' })] }), 400, 'INVALID_REQUEST', 'transfers.0.id'],
      ['id of 65 characters', JSON.stringify({ transfers: [t({ id: 'x'.repeat(65) })] }), 400, 'INVALID_REQUEST', 'transfers.0.id'],
      ['empty id', JSON.stringify({ transfers: [t({ id: '' })] }), 400, 'INVALID_REQUEST', 'transfers.0.id'],
      ['id starting with a separator', JSON.stringify({ transfers: [t({ id: ':x' })] }), 400, 'INVALID_REQUEST', 'transfers.0.id'],
      ['id missing', JSON.stringify({ transfers: [t({ id: undefined })] }), 400, 'INVALID_REQUEST', 'transfers.0.id'],
      ['debit account id with spaces', JSON.stringify({ transfers: [t({ debitAccountId: 'w w' })] }), 400, 'INVALID_REQUEST', 'transfers.0.debitAccountId'],
      ['lower-case currency', JSON.stringify({ transfers: [t({ currency: 'cny' })] }), 400, 'INVALID_REQUEST', 'transfers.0.currency'],
      ['four-letter currency', JSON.stringify({ transfers: [t({ currency: 'CNYY' })] }), 400, 'INVALID_REQUEST', 'transfers.0.currency'],
      ['timeout past seven days', JSON.stringify({ transfers: [t({ flags: { pending: true }, timeoutMs: 7 * 24 * 3600 * 1000 + 1 })] }), 400, 'INVALID_REQUEST', 'transfers.0.timeoutMs'],
      ['user data over 128 characters', JSON.stringify({ transfers: [t({ userData: 'u'.repeat(129) })] }), 400, 'INVALID_REQUEST', 'transfers.0.userData'],
      ['unknown field in a transfer', JSON.stringify({ transfers: [t({ fee: 1 })] }), 400, 'INVALID_REQUEST', 'transfers.0.fee'],
      ['unknown flag (clients cannot expire)', JSON.stringify({ transfers: [t({ flags: { expirePending: true } })] }), 400, 'INVALID_REQUEST', 'transfers.0.flags.expirePending'],
      ['flag that is not a boolean', JSON.stringify({ transfers: [t({ flags: { pending: 1 } })] }), 400, 'INVALID_REQUEST', 'transfers.0.flags.pending'],
      ['unknown top-level field', JSON.stringify({ transfers: [t()], dryRun: true }), 400, 'INVALID_REQUEST', 'dryRun'],
      ['__proto__ key', '{"transfers":[{"id":"bad-1","debitAccountId":"w","creditAccountId":"m","amountMinor":10,"currency":"CNY","__proto__":{"amountMinor":1}}]}', 400, 'INVALID_REQUEST', undefined],
      ['empty batch', JSON.stringify({ transfers: [] }), 400, 'INVALID_REQUEST', 'transfers'],
      ['transfers not an array', JSON.stringify({ transfers: t() }), 400, 'INVALID_REQUEST', 'transfers'],
      ['no transfers field', JSON.stringify({}), 400, 'INVALID_REQUEST', 'transfers'],
      ['body is an array', JSON.stringify([t()]), 400, 'INVALID_REQUEST', undefined],
      ['body is null', 'null', 400, 'INVALID_REQUEST', undefined],
      ['body is not JSON', '{"transfers": [', 400, 'INVALID_REQUEST', undefined],
      ['body is a bare word', 'transfers', 400, 'INVALID_REQUEST', undefined],
      ['mixed batch: second item fails the schema', JSON.stringify({ transfers: [t({ id: 'mixed-ok' }), t({ id: 'mixed-bad', amountMinor: -1 })] }), 400, 'INVALID_REQUEST', 'transfers.1.amountMinor'],
      ['mixed batch: second item has an unsafe number', `{"transfers":[${JSON.stringify(t({ id: 'mixed-ok' }))},${withAmountText('9007199254740993').slice('{"transfers":['.length, -2)}]}`, 400, 'INVALID_JSON_NUMBER', undefined],
    ];
    it.each(cases)('%s', async (_name, raw, status, code, param) => {
      const res = await postRaw('/v1/ledger/transfers', raw);
      expectError(res, status, code, param);
      await expectTransferAbsent('bad-1');
      await expectTransferAbsent('mixed-ok');
    });

    it('does not round an unsafe amount: the message names the number as sent', async () => {
      const res = await postRaw('/v1/ledger/transfers', withAmountText('9007199254740993'));
      expectError(res, 400, 'INVALID_JSON_NUMBER');
      expect(res.body.error.message).toContain('9007199254740993');
    });

    it('an empty body', async () => {
      expectError(await postRaw('/v1/ledger/transfers', ''), 400, 'INVALID_REQUEST');
    });

    it('a body that is not JSON by its content type', async () => {
      const res = await postRaw('/v1/ledger/transfers', JSON.stringify({ transfers: [t()] }), { 'content-type': 'text/plain' });
      expectError(res, 415, 'INVALID_REQUEST');
    });

    it(`a batch of ${LEDGER_BATCH_ITEMS_MAX + 1} transfers is refused whole`, async () => {
      const transfers = Array.from({ length: LEDGER_BATCH_ITEMS_MAX + 1 }, (_, i) => t({ id: `big-${i}`, amountMinor: 1 }));
      const res = await post('/v1/ledger/transfers', { transfers });
      expectError(res, 400, 'BATCH_TOO_LARGE', 'transfers');
      await expectTransferAbsent('big-0');
    });

    it('a body of exactly the size limit is read (and refused for its content); one byte more is 413', async () => {
      const prefix = '{"transfers":[' + JSON.stringify(t()) + '],"pad":"';
      const suffix = '"}';
      const atLimit = prefix + 'p'.repeat(HTTP_BODY_BYTES_MAX - prefix.length - suffix.length) + suffix;
      expect(Buffer.byteLength(atLimit)).toBe(HTTP_BODY_BYTES_MAX);
      expectError(await postRaw('/v1/ledger/transfers', atLimit), 400, 'INVALID_REQUEST', 'pad');
      const over = prefix + 'p'.repeat(HTTP_BODY_BYTES_MAX - prefix.length - suffix.length + 1) + suffix;
      expectError(await postRaw('/v1/ledger/transfers', over), 413, 'BODY_TOO_LARGE');
    });

    it('a streamed body (no content-length) over the limit is 413 too, and the request does not hang', async () => {
      const chunk = new TextEncoder().encode('{"transfers":[' + ' '.repeat(64 * 1024));
      const filler = new TextEncoder().encode(' '.repeat(64 * 1024));
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent === 0) controller.enqueue(chunk);
          else if (sent < 80) controller.enqueue(filler);
          else controller.close();
          sent++;
        },
      });
      // A hang would end in a TimeoutError here.
      const response = await fetch(`${env.base}/v1/ledger/transfers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body,
        duplex: 'half',
        signal: AbortSignal.timeout(10_000),
      } as RequestInit);
      const text = await response.text();
      const res: Res = { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
      expectError(res, 413, 'BODY_TOO_LARGE');
    });
  });

  describe('schema refusals of accounts', () => {
    const cases: Array<[string, unknown, string]> = [
      ['unknown account type', { accounts: [{ id: 'a-bad', type: 'savings', currency: 'CNY' }] }, 'accounts.0.type'],
      ['flags chosen by the caller', { accounts: [{ id: 'a-bad', type: 'wallet', currency: 'CNY', flags: 0 }] }, 'accounts.0.flags'],
      ['malformed id', { accounts: [{ id: 'a bad', type: 'wallet', currency: 'CNY' }] }, 'accounts.0.id'],
      ['id too long', { accounts: [{ id: 'a'.repeat(65), type: 'wallet', currency: 'CNY' }] }, 'accounts.0.id'],
      ['currency missing', { accounts: [{ id: 'a-bad', type: 'wallet' }] }, 'accounts.0.currency'],
      ['mixed batch: one good, one of an unknown type', { accounts: [{ id: 'a-good', type: 'wallet', currency: 'CNY' }, { id: 'a-bad', type: 'savings', currency: 'CNY' }] }, 'accounts.1.type'],
    ];
    it.each(cases)('%s', async (_name, json, param) => {
      expectError(await post('/v1/ledger/accounts', json), 400, 'INVALID_REQUEST', param);
      expectError(await get('/v1/ledger/accounts/a-good'), 404, 'ACCOUNT_NOT_FOUND');
    });

    it(`a batch of ${LEDGER_BATCH_ITEMS_MAX + 1} accounts is refused whole`, async () => {
      const accounts = Array.from({ length: LEDGER_BATCH_ITEMS_MAX + 1 }, (_, i) => ({ id: `acc-${i}`, type: 'wallet', currency: 'CNY' }));
      expectError(await post('/v1/ledger/accounts', { accounts }), 400, 'BATCH_TOO_LARGE', 'accounts');
      expectError(await get('/v1/ledger/accounts/acc-0'), 404, 'ACCOUNT_NOT_FOUND');
    });
  });

  describe('bad reads', () => {
    const cursorOf = (text: string) => encodeURIComponent(Buffer.from(text).toString('base64url'));
    const cases: Array<[string, string, number, string, string | undefined]> = [
      ['unknown account', '/v1/ledger/accounts/nobody', 404, 'ACCOUNT_NOT_FOUND', 'id'],
      ['unknown transfer', '/v1/ledger/transfers/nothing', 404, 'TRANSFER_NOT_FOUND', 'id'],
      ['transfers of an unknown account', '/v1/ledger/accounts/nobody/transfers', 404, 'ACCOUNT_NOT_FOUND', 'id'],
      ['balances of an unknown account', '/v1/ledger/accounts/nobody/balances?atMs=1', 404, 'ACCOUNT_NOT_FOUND', 'id'],
      ['account id with a space', '/v1/ledger/accounts/a%20b', 400, 'INVALID_REQUEST', 'id'],
      ['account id too long', `/v1/ledger/accounts/${'a'.repeat(65)}`, 400, 'INVALID_REQUEST', 'id'],
      ['empty account id', '/v1/ledger/accounts/', 400, 'INVALID_REQUEST', 'id'],
      ['transfer id too long', `/v1/ledger/transfers/${'t'.repeat(65)}`, 400, 'INVALID_REQUEST', 'id'],
      ['cursor that is not one of ours', '/v1/ledger/accounts/w/transfers?cursor=garbage', 400, 'INVALID_CURSOR', 'cursor'],
      ['cursor with a negative timestamp', `/v1/ledger/accounts/w/transfers?cursor=${cursorOf('ts:-1')}`, 400, 'INVALID_CURSOR', 'cursor'],
      ['cursor past the 64-bit range', `/v1/ledger/accounts/w/transfers?cursor=${cursorOf('ts:9999999999999999999')}`, 400, 'INVALID_CURSOR', 'cursor'],
      ['cursor with trailing text', `/v1/ledger/accounts/w/transfers?cursor=${cursorOf('ts:1;DROP')}`, 400, 'INVALID_CURSOR', 'cursor'],
      ['cursor too long', `/v1/ledger/accounts/w/transfers?cursor=${'A'.repeat(65)}`, 400, 'INVALID_REQUEST', 'cursor'],
      ['limit 0', '/v1/ledger/accounts/w/transfers?limit=0', 400, 'INVALID_REQUEST', 'limit'],
      ['limit past the maximum', '/v1/ledger/accounts/w/transfers?limit=501', 400, 'INVALID_REQUEST', 'limit'],
      ['limit not a number', '/v1/ledger/accounts/w/transfers?limit=ten', 400, 'INVALID_REQUEST', 'limit'],
      ['limit as an exponent', '/v1/ledger/accounts/w/transfers?limit=1e1', 400, 'INVALID_REQUEST', 'limit'],
      ['limit fractional', '/v1/ledger/accounts/w/transfers?limit=2.5', 400, 'INVALID_REQUEST', 'limit'],
      ['limit given twice', '/v1/ledger/accounts/w/transfers?limit=2&limit=3', 400, 'INVALID_REQUEST', 'limit'],
      ['balances without atMs', '/v1/ledger/accounts/w/balances', 400, 'INVALID_REQUEST', 'atMs'],
      ['atMs negative', '/v1/ledger/accounts/w/balances?atMs=-1', 400, 'INVALID_REQUEST', 'atMs'],
      ['atMs not a number', '/v1/ledger/accounts/w/balances?atMs=yesterday', 400, 'INVALID_REQUEST', 'atMs'],
      ['atMs past the safe range', '/v1/ledger/accounts/w/balances?atMs=99999999999999999999', 400, 'INVALID_REQUEST', 'atMs'],
      ['unknown route', '/v1/nothing-here', 404, 'NOT_FOUND', undefined],
      ['unknown ledger route', '/v1/ledger/accounts/w/owner', 404, 'NOT_FOUND', undefined],
    ];
    it.each(cases)('%s', async (_name, path, status, code, param) => {
      expectError(await get(path), status, code, param);
    });

    it('the largest safe atMs is answered', async () => {
      const res = await get(`/v1/ledger/accounts/w/balances?atMs=${Number.MAX_SAFE_INTEGER}`);
      expect(res.status, res.text).toBe(200);
      expect(res.body.balances.creditsPostedMinor).toBe(1_000);
    });

    it('unknown methods and routes answer 404 in the error format', async () => {
      expectError(await call(env.base, 'DELETE', '/v1/ledger/accounts/w', { token: admin }), 404, 'NOT_FOUND');
      expectError(await call(env.base, 'PUT', '/v1/ledger/transfers', { token: admin, json: { transfers: [t()] } }), 404, 'NOT_FOUND');
      expectError(await call(env.base, 'POST', '/v1/ledger/verify', { token: admin, json: {} }), 404, 'NOT_FOUND');
      expectError(await call(env.base, 'GET', '/nothing', {}), 404, 'NOT_FOUND');
    });
  });
});
