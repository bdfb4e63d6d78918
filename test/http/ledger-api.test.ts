import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_NAMES } from '../helpers/stores.js';
import { call, expectError, openTestEnv, sleep, staffToken, type TestEnv } from './helpers.js';

// The staff ledger API end to end: a real server on a loopback port, called with fetch as a
// client would, on every store engine. The tests of this file build on each other in order.
describe.each(STORE_NAMES)('staff ledger API over HTTP on %s', (storeName) => {
  let env: TestEnv;
  let admin: string;
  let support: string;
  const reserve = 'platform:reserve:CNY';
  /** Every transfer id that touched w1, as the server should list them. */
  const w1Transfers: string[] = [];
  let topUpsMinor = 0;

  beforeAll(async () => {
    env = await openTestEnv(storeName);
    admin = await staffToken(env.platform, 'admin');
    support = await staffToken(env.platform, 'support');
    await env.platform.ledger.ensurePlatformAccounts('CNY');
  });
  afterAll(async () => {
    await env?.close();
  });

  const post = (path: string, json: unknown) => call(env.base, 'POST', path, { token: admin, json });
  const get = (path: string) => call(env.base, 'GET', path, { token: support });
  const transfer = (id: string, debit: string, credit: string, amountMinor: number, extra: Record<string, unknown> = {}) => ({
    id, debitAccountId: debit, creditAccountId: credit, amountMinor, currency: 'CNY', ...extra,
  });
  async function transfers(...items: unknown[]): Promise<string[]> {
    const res = await post('/v1/ledger/transfers', { transfers: items });
    expect(res.status, res.text).toBe(200);
    expect(Object.keys(res.body)).toEqual(['results']);
    expect(res.body.results.map((r: { id: string }) => r.id)).toEqual(items.map((t) => (t as { id: string }).id));
    return res.body.results.map((r: { result: string }) => r.result);
  }
  async function balances(id: string) {
    const res = await get(`/v1/ledger/accounts/${encodeURIComponent(id)}`);
    expect(res.status, res.text).toBe(200);
    return res.body.balances as { debitsPendingMinor: number; debitsPostedMinor: number; creditsPendingMinor: number; creditsPostedMinor: number };
  }

  it('creates accounts idempotently and reads them back with their balances', async () => {
    const before = Date.now();
    const created = await post('/v1/ledger/accounts', {
      accounts: [
        { id: 'w1', type: 'wallet', currency: 'CNY', userData: 'alice' },
        { id: 'm1', type: 'merchant', currency: 'CNY' },
        { id: 'w2', type: 'wallet', currency: 'CNY', userData: null },
      ],
    });
    expect(created.status, created.text).toBe(200);
    expect(created.body).toEqual({ results: [{ id: 'w1', result: 'ok' }, { id: 'm1', result: 'ok' }, { id: 'w2', result: 'ok' }] });

    const w1 = await get('/v1/ledger/accounts/w1');
    expect(w1.status).toBe(200);
    expect(w1.headers.get('content-type')).toMatch(/^application\/json/);
    const { createdAtMs, ...rest } = w1.body;
    expect(rest).toEqual({
      id: 'w1',
      type: 'wallet',
      currency: 'CNY',
      flags: { debitsMustNotExceedCredits: true, creditsMustNotExceedDebits: false },
      userData: 'alice',
      balances: { debitsPendingMinor: 0, debitsPostedMinor: 0, creditsPendingMinor: 0, creditsPostedMinor: 0 },
    });
    expect(createdAtMs).toBeGreaterThanOrEqual(before - 5);
    expect(createdAtMs).toBeLessThanOrEqual(Date.now() + 5);

    const r = await get(`/v1/ledger/accounts/${reserve}`);
    expect(r.status).toBe(200);
    expect([r.body.type, r.body.flags]).toEqual(['reserve', { debitsMustNotExceedCredits: false, creditsMustNotExceedDebits: true }]);

    // The same request again: nothing new, each item says so.
    const again = await post('/v1/ledger/accounts', { accounts: [{ id: 'w1', type: 'wallet', currency: 'CNY', userData: 'alice' }] });
    expect(again.body).toEqual({ results: [{ id: 'w1', result: 'exists' }] });
    const differs = await post('/v1/ledger/accounts', {
      accounts: [
        { id: 'w1', type: 'wallet', currency: 'USD', userData: 'alice' },
        { id: 'w1', type: 'merchant', currency: 'CNY', userData: 'alice' },
        { id: 'w1', type: 'wallet', currency: 'CNY', userData: 'bob' },
      ],
    });
    expect(differs.body.results.map((x: { result: string }) => x.result)).toEqual([
      'exists_with_different_currency',
      'exists_with_different_code',
      'exists_with_different_user_data',
    ]);
    expect((await get('/v1/ledger/accounts/w1')).body).toEqual(w1.body);
  });

  it('tops up from the reserve and pays a merchant; a replayed transfer is `exists` and moves nothing', async () => {
    const topUp = transfer('topup-1', reserve, 'w1', 10_000, { userData: 'bank ref 7' });
    expect(await transfers(topUp)).toEqual(['ok']);
    w1Transfers.push('topup-1');
    topUpsMinor += 10_000;
    expect(await balances('w1')).toEqual({ debitsPendingMinor: 0, debitsPostedMinor: 0, creditsPendingMinor: 0, creditsPostedMinor: 10_000 });
    expect((await balances(reserve)).debitsPostedMinor).toBe(10_000);

    // Idempotency: the same request twice, then the same id with another amount.
    const w1Before = await balances('w1');
    const reserveBefore = await balances(reserve);
    expect(await transfers(topUp)).toEqual(['exists']);
    expect(await transfers({ ...topUp, amountMinor: 10_001 })).toEqual(['exists_with_different_amount']);
    expect(await transfers({ ...topUp, creditAccountId: 'w2' })).toEqual(['exists_with_different_credit_account_id']);
    expect(await balances('w1')).toEqual(w1Before);
    expect(await balances(reserve)).toEqual(reserveBefore);
    expect(await balances('w2')).toEqual({ debitsPendingMinor: 0, debitsPostedMinor: 0, creditsPendingMinor: 0, creditsPostedMinor: 0 });

    expect(await transfers(transfer('pay-1', 'w1', 'm1', 1_250, { userData: 'order 42' }))).toEqual(['ok']);
    w1Transfers.push('pay-1');
    expect(await balances('w1')).toEqual({ debitsPendingMinor: 0, debitsPostedMinor: 1_250, creditsPendingMinor: 0, creditsPostedMinor: 10_000 });
    expect((await balances('m1')).creditsPostedMinor).toBe(1_250);

    const one = await get('/v1/ledger/transfers/pay-1');
    expect(one.status).toBe(200);
    const { createdAtMs, timestamp, ...rest } = one.body;
    expect(rest).toEqual({
      id: 'pay-1',
      debitAccountId: 'w1',
      creditAccountId: 'm1',
      amountMinor: 1_250,
      currency: 'CNY',
      flags: { linked: false, pending: false, postPending: false, voidPending: false, expirePending: false },
      pendingId: null,
      timeoutMs: 0,
      userData: 'order 42',
    });
    expect(timestamp).toMatch(/^[1-9][0-9]*$/);
    expect(createdAtMs).toBe(Number(BigInt(timestamp) / 1000n));

    // More than the wallet holds: refused per item, nothing moves.
    expect(await transfers(transfer('pay-too-much', 'w1', 'm1', 8_751))).toEqual(['exceeds_credits']);
    expectError(await get('/v1/ledger/transfers/pay-too-much'), 404, 'TRANSFER_NOT_FOUND', 'id');
    expect((await balances('w1')).debitsPostedMinor).toBe(1_250);
  });

  it('runs two-phase transfers: hold, partial post, void', async () => {
    expect(await transfers(transfer('hold-1', 'w1', 'm1', 500, { flags: { pending: true }, timeoutMs: 60_000 }))).toEqual(['ok']);
    w1Transfers.push('hold-1');
    expect(await balances('w1')).toEqual({ debitsPendingMinor: 500, debitsPostedMinor: 1_250, creditsPendingMinor: 0, creditsPostedMinor: 10_000 });
    expect((await balances('m1')).creditsPendingMinor).toBe(500);
    const hold = await get('/v1/ledger/transfers/hold-1');
    expect([hold.body.flags.pending, hold.body.timeoutMs, hold.body.amountMinor]).toEqual([true, 60_000, 500]);

    expect(await transfers({ id: 'hold-1-post', pendingId: 'hold-1', amountMinor: 300, flags: { postPending: true } })).toEqual(['ok']);
    w1Transfers.push('hold-1-post');
    expect(await balances('w1')).toEqual({ debitsPendingMinor: 0, debitsPostedMinor: 1_550, creditsPendingMinor: 0, creditsPostedMinor: 10_000 });
    expect(await balances('m1')).toEqual({ debitsPendingMinor: 0, debitsPostedMinor: 0, creditsPendingMinor: 0, creditsPostedMinor: 1_550 });
    const posted = await get('/v1/ledger/transfers/hold-1-post');
    expect(posted.body).toMatchObject({ debitAccountId: 'w1', creditAccountId: 'm1', amountMinor: 300, pendingId: 'hold-1', flags: { postPending: true, pending: false } });
    expect(await transfers({ id: 'hold-1-post-again', pendingId: 'hold-1', flags: { postPending: true } })).toEqual(['pending_transfer_already_posted']);

    expect(await transfers(transfer('hold-2', 'w1', 'm1', 200, { flags: { pending: true } }))).toEqual(['ok']);
    w1Transfers.push('hold-2');
    expect((await balances('w1')).debitsPendingMinor).toBe(200);
    expect(await transfers({ id: 'hold-2-void', pendingId: 'hold-2', flags: { voidPending: true } })).toEqual(['ok']);
    w1Transfers.push('hold-2-void');
    expect(await balances('w1')).toEqual({ debitsPendingMinor: 0, debitsPostedMinor: 1_550, creditsPendingMinor: 0, creditsPostedMinor: 10_000 });
    expect((await get('/v1/ledger/transfers/hold-2-void')).body).toMatchObject({ amountMinor: 200, pendingId: 'hold-2', flags: { voidPending: true } });
    expect(await transfers({ id: 'hold-2-post', pendingId: 'hold-2', flags: { postPending: true } })).toEqual(['pending_transfer_already_voided']);
    expect((await balances('m1')).creditsPostedMinor).toBe(1_550);
  });

  it('applies a linked chain all or nothing', async () => {
    const w1Before = await balances('w1');
    const m1Before = await balances('m1');
    expect(
      await transfers(
        transfer('chain-1', 'w1', 'm1', 100, { flags: { linked: true } }),
        transfer('chain-2', 'm1', 'w1', 40, { flags: { linked: true } }),
        transfer('chain-3', 'w1', 'm1', 10),
      ),
    ).toEqual(['ok', 'ok', 'ok']);
    w1Transfers.push('chain-1', 'chain-2', 'chain-3');
    expect(await balances('w1')).toEqual({ ...w1Before, debitsPostedMinor: w1Before.debitsPostedMinor + 110, creditsPostedMinor: w1Before.creditsPostedMinor + 40 });
    expect(await balances('m1')).toEqual({ ...m1Before, debitsPostedMinor: m1Before.debitsPostedMinor + 40, creditsPostedMinor: m1Before.creditsPostedMinor + 110 });
    expect((await get('/v1/ledger/transfers/chain-1')).body.flags.linked).toBe(true);

    // One link fails: the whole chain is refused and none of it is stored.
    const w1Mid = await balances('w1');
    expect(
      await transfers(transfer('bad-chain-1', 'w1', 'm1', 100, { flags: { linked: true } }), transfer('bad-chain-2', 'w1', 'm1', 1_000_000)),
    ).toEqual(['linked_event_failed', 'exceeds_credits']);
    expectError(await get('/v1/ledger/transfers/bad-chain-1'), 404, 'TRANSFER_NOT_FOUND');
    expectError(await get('/v1/ledger/transfers/bad-chain-2'), 404, 'TRANSFER_NOT_FOUND');
    expect(await transfers(transfer('open-chain', 'w1', 'm1', 1, { flags: { linked: true } }))).toEqual(['linked_event_chain_open']);
    expectError(await get('/v1/ledger/transfers/open-chain'), 404, 'TRANSFER_NOT_FOUND');
    expect(await balances('w1')).toEqual(w1Mid);
  });

  it("pages an account's transfers with the cursor until nextCursor is null, each seen once, newest first", async () => {
    // A few more, so that several pages are needed.
    for (let i = 0; i < 5; i++) {
      expect(await transfers(transfer(`small-${i}`, 'w1', 'm1', 1))).toEqual(['ok']);
      w1Transfers.push(`small-${i}`);
    }
    const seen: Array<{ id: string; timestamp: string }> = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor === null ? '?limit=3' : `?limit=3&cursor=${encodeURIComponent(cursor)}`;
      const page = await get(`/v1/ledger/accounts/w1/transfers${query}`);
      expect(page.status, page.text).toBe(200);
      expect(Object.keys(page.body).sort()).toEqual(['nextCursor', 'transfers']);
      expect(page.body.transfers.length).toBeLessThanOrEqual(3);
      for (const t of page.body.transfers) {
        expect([t.debitAccountId, t.creditAccountId]).toContain('w1');
        seen.push({ id: t.id, timestamp: t.timestamp });
      }
      cursor = page.body.nextCursor;
      if (cursor !== null) expect(page.body.transfers.length).toBe(3);
      pages++;
      expect(pages).toBeLessThan(50);
    } while (cursor !== null);
    expect(pages).toBe(Math.ceil(w1Transfers.length / 3));
    const ids = seen.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...w1Transfers].sort());
    // Newest first: ledger timestamps strictly decrease across all pages; ids in creation order reversed.
    for (let i = 1; i < seen.length; i++) expect(BigInt(seen[i]!.timestamp) < BigInt(seen[i - 1]!.timestamp)).toBe(true);
    expect(ids).toEqual([...w1Transfers].reverse());

    // Without a limit: the default page holds all of them, and there is no next page.
    const all = await get('/v1/ledger/accounts/w1/transfers');
    expect(all.status).toBe(200);
    expect(all.body.transfers.map((t: { id: string }) => t.id)).toEqual(ids);
    expect(all.body.nextCursor).toBeNull();
    // An account with no transfers: an empty page.
    expect((await get('/v1/ledger/accounts/w2/transfers?limit=500')).body).toEqual({ transfers: [], nextCursor: null });
  });

  it('answers balances as they stood at a past moment', async () => {
    const beforeAnything = Date.now() - 1;
    await sleep(3);
    expect(await transfers(transfer('w2-topup', reserve, 'w2', 1_000))).toEqual(['ok']);
    topUpsMinor += 1_000;
    await sleep(3);
    const afterTopUp = Date.now();
    await sleep(3);
    expect(await transfers(transfer('w2-pay', 'w2', 'm1', 300))).toEqual(['ok']);
    await sleep(3);
    const afterPay = Date.now();
    await sleep(3);
    expect(await transfers(transfer('w2-hold', 'w2', 'm1', 50, { flags: { pending: true } }))).toEqual(['ok']);

    const at = async (atMs: number) => {
      const res = await get(`/v1/ledger/accounts/w2/balances?atMs=${atMs}`);
      expect(res.status, res.text).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['accountId', 'atMs', 'balances']);
      expect([res.body.accountId, res.body.atMs]).toEqual(['w2', atMs]);
      return res.body.balances;
    };
    const zero = { debitsPendingMinor: 0, debitsPostedMinor: 0, creditsPendingMinor: 0, creditsPostedMinor: 0 };
    expect(await at(0)).toEqual(zero);
    expect(await at(beforeAnything)).toEqual(zero);
    expect(await at(afterTopUp)).toEqual({ ...zero, creditsPostedMinor: 1_000 });
    expect(await at(afterPay)).toEqual({ ...zero, creditsPostedMinor: 1_000, debitsPostedMinor: 300 });
    // Now (and any later moment) agrees with the stored balances, pending amounts included.
    const now = await balances('w2');
    expect(now).toEqual({ ...zero, creditsPostedMinor: 1_000, debitsPostedMinor: 300, debitsPendingMinor: 50 });
    expect(await at(Date.now() + 60_000)).toEqual(now);
    // For w1, with its posts and voids, the recomputation from transfers matches the stored row.
    const w1Now = await get(`/v1/ledger/accounts/w1/balances?atMs=${Date.now() + 1_000}`);
    expect(w1Now.body.balances).toEqual(await balances('w1'));
  });

  it('accepts ids of exactly 64 characters and the largest safe amount (refused per item, not rounded)', async () => {
    const id64 = 'x'.repeat(64);
    expect(await transfers(transfer(id64, 'm1', 'w2', 7))).toEqual(['ok']);
    expect((await get(`/v1/ledger/transfers/${id64}`)).body.id).toBe(id64);
    const max = Number.MAX_SAFE_INTEGER;
    expect(await transfers(transfer('too-rich', 'w2', 'm1', max))).toEqual(['exceeds_credits']);
  });

  it('verifies the books: balanced, fully reserved, no violations', async () => {
    const res = await get('/v1/ledger/verify');
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({
      ok: true,
      accounts: 5 + 3,
      currencies: [{ currency: 'CNY', reserveMinor: topUpsMinor, customerFundsMinor: topUpsMinor, platformClaimsMinor: 0 }],
      violations: [],
    });
  });
});

describe('balances past 2^53−1', () => {
  it('are served exactly, as decimal strings, never rounded or refused', async () => {
    const { createTestDatabase } = await import('../helpers/stores.js');
    const { openPlatform } = await import('../../src/service/platform.js');
    const { buildApp } = await import('../../src/http/app.js');
    const { createStaffToken } = await import('../../src/service/staff.js');
    const database = await createTestDatabase('sqlite');
    const platform = await openPlatform(database.options);
    const app = await buildApp({ platform });
    try {
      await platform.ledger.ensurePlatformAccounts('CNY');
      await platform.ledger.createAccounts([{ id: 'big', type: 'wallet', currency: 'CNY' }]);
      const max = BigInt(Number.MAX_SAFE_INTEGER);
      const results = await platform.ledger.createTransfers([
        { id: 'big-1', debitAccountId: 'platform:reserve:CNY', creditAccountId: 'big', amountMinor: max, currency: 'CNY' },
        { id: 'big-2', debitAccountId: 'platform:reserve:CNY', creditAccountId: 'big', amountMinor: max, currency: 'CNY' },
        { id: 'big-3', debitAccountId: 'big', creditAccountId: 'platform:reserve:CNY', amountMinor: 5n, currency: 'CNY' },
      ]);
      expect(results).toEqual(['ok', 'ok', 'ok']);
      const token = await createStaffToken(platform.store.db, 'admin', 'test', Date.now());
      const response = await app.inject({ method: 'GET', url: '/v1/ledger/accounts/big', headers: { authorization: `Bearer ${token}` } });
      expect(response.statusCode).toBe(200);
      const body = JSON.parse(response.body) as { balances: Record<string, unknown> };
      expect(body.balances).toEqual({ debitsPendingMinor: 0, debitsPostedMinor: 5, creditsPendingMinor: 0, creditsPostedMinor: (2n * max).toString() });
      const verify = await app.inject({ method: 'GET', url: '/v1/ledger/verify', headers: { authorization: `Bearer ${token}` } });
      const v = JSON.parse(verify.body) as { ok: boolean; currencies: Array<Record<string, unknown>> };
      expect(v.ok).toBe(true);
      expect(v.currencies[0]).toMatchObject({ reserveMinor: (2n * max - 5n).toString(), customerFundsMinor: (2n * max - 5n).toString(), platformClaimsMinor: 0 });
    } finally {
      await app.close();
      await platform.close();
      await database.drop();
    }
  });
});
