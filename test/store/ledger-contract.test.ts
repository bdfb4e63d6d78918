import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPlatform, type Platform } from '../../src/service/platform.js';
import { createTestDatabase, STORE_NAMES, type TestDatabase } from '../helpers/stores.js';
import { TRANSFER_FLAGS, platformAccountId } from '../../src/core/ledger/index.js';

// The store contract: the same behaviour, checked unchanged, on every engine.
describe.each(STORE_NAMES)('ledger store contract on %s', (storeName) => {
  let database: TestDatabase;
  let platform: Platform;
  let nowMs = Date.UTC(2026, 10, 29, 12, 0, 0);

  beforeAll(async () => {
    database = await createTestDatabase(storeName);
    platform = await openPlatform({ ...database.options, writer: { nowMs: () => nowMs }, jobs: { nowMs: () => nowMs, onError: (job, e) => console.error('job failed', job, e) } });
    await platform.ledger.ensurePlatformAccounts('CNY');
  });
  afterAll(async () => {
    await platform?.close();
    await database?.drop();
  });

  const reserve = platformAccountId('reserve', 'CNY');

  it('creates accounts idempotently and reports differences', async () => {
    const l = platform.ledger;
    expect(await l.createAccounts([{ id: 'w1', type: 'wallet', currency: 'CNY' }, { id: 'm1', type: 'merchant', currency: 'CNY' }])).toEqual(['ok', 'ok']);
    expect(await l.createAccounts([{ id: 'w1', type: 'wallet', currency: 'CNY' }])).toEqual(['exists']);
    expect(await l.createAccounts([{ id: 'w1', type: 'wallet', currency: 'USD' }])).toEqual(['exists_with_different_currency']);
    expect(await l.createAccounts([{ id: 'w1', type: 'merchant', currency: 'CNY' }])).toEqual(['exists_with_different_code']);
    expect(await l.createAccounts([{ id: 'bad id!', type: 'wallet', currency: 'CNY' }])).toEqual(['id_invalid']);
    expect(await l.createAccounts([{ id: 'w9', type: 'wallet', currency: 'XXX' }])).toEqual(['currency_invalid']);
  });

  it('moves money single-phase, refuses overdraft, and is idempotent by transfer id', async () => {
    const l = platform.ledger;
    const topUp = { id: 't-topup', debitAccountId: reserve, creditAccountId: 'w1', amountMinor: 10_000n, currency: 'CNY' };
    expect(await l.createTransfers([topUp])).toEqual(['ok']);
    expect(await l.createTransfers([topUp])).toEqual(['exists']);
    expect(await l.createTransfers([{ ...topUp, amountMinor: 10_001n }])).toEqual(['exists_with_different_amount']);
    expect(await l.createTransfers([{ id: 't-pay', debitAccountId: 'w1', creditAccountId: 'm1', amountMinor: 10_001n, currency: 'CNY' }])).toEqual(['exceeds_credits']);
    expect(await l.createTransfers([{ id: 't-pay', debitAccountId: 'w1', creditAccountId: 'm1', amountMinor: 1_250n, currency: 'CNY' }])).toEqual(['ok']);
    const w1 = await l.account('w1');
    expect([w1.creditsPosted, w1.debitsPosted]).toEqual([10_000n, 1_250n]);
    const m1 = await l.account('m1');
    expect(m1.creditsPosted).toBe(1_250n);
    expect(await l.createTransfers([{ id: 't-x', debitAccountId: 'w1', creditAccountId: 'nope', amountMinor: 1n, currency: 'CNY' }])).toEqual(['credit_account_not_found']);
    expect(await l.createTransfers([{ id: 't-y', debitAccountId: 'w1', creditAccountId: 'm1', amountMinor: 1n, currency: 'USD' }])).toEqual(['transfer_must_have_the_same_currency_as_accounts']);
  });

  it('applies linked chains all or nothing', async () => {
    const l = platform.ledger;
    const before = await l.account('w1');
    const results = await l.createTransfers([
      { id: 'c1', debitAccountId: 'w1', creditAccountId: 'm1', amountMinor: 100n, currency: 'CNY', flags: TRANSFER_FLAGS.LINKED },
      { id: 'c2', debitAccountId: 'w1', creditAccountId: 'm1', amountMinor: 999_999n, currency: 'CNY' },
    ]);
    expect(results).toEqual(['linked_event_failed', 'exceeds_credits']);
    expect((await l.account('w1')).debitsPosted).toBe(before.debitsPosted);
    expect(await platform.ledger.reader.transfer('c1')).toBeUndefined();
    expect(
      await l.createTransfers([{ id: 'c3', debitAccountId: 'w1', creditAccountId: 'm1', amountMinor: 1n, currency: 'CNY', flags: TRANSFER_FLAGS.LINKED }]),
    ).toEqual(['linked_event_chain_open']);
  });

  it('runs two-phase transfers: partial post, void, and expiry by the job runner', async () => {
    const l = platform.ledger;
    const hold = (id: string, amount: bigint, timeoutMs = 0) => ({
      id, debitAccountId: 'w1', creditAccountId: 'm1', amountMinor: amount, currency: 'CNY', flags: TRANSFER_FLAGS.PENDING, timeoutMs,
    });
    expect(await l.createTransfers([hold('p1', 500n), hold('p2', 300n), hold('p3', 200n, 1_000)])).toEqual(['ok', 'ok', 'ok']);
    const held = await l.account('w1');
    expect(held.debitsPending).toBe(1_000n);
    expect(await l.createTransfers([{ id: 'p1-post', pendingId: 'p1', amountMinor: 400n, flags: TRANSFER_FLAGS.POST_PENDING }])).toEqual(['ok']);
    expect(await l.createTransfers([{ id: 'p1-post2', pendingId: 'p1', flags: TRANSFER_FLAGS.POST_PENDING }])).toEqual(['pending_transfer_already_posted']);
    expect(await l.createTransfers([{ id: 'p2-void', pendingId: 'p2', flags: TRANSFER_FLAGS.VOID_PENDING }])).toEqual(['ok']);
    expect(await l.createTransfers([{ id: 'p2-post', pendingId: 'p2', flags: TRANSFER_FLAGS.POST_PENDING }])).toEqual(['pending_transfer_already_voided']);
    expect(await l.createTransfers([{ id: 'p1-big', pendingId: 'p2', amountMinor: 301n, flags: TRANSFER_FLAGS.POST_PENDING }])).toEqual(['exceeds_pending_transfer_amount']);
    // Clients cannot expire transfers themselves.
    expect(await l.createTransfers([{ id: 'p3-exp', pendingId: 'p3', flags: TRANSFER_FLAGS.EXPIRE_PENDING }])).toEqual(['flags_invalid']);

    nowMs += 2_000;
    expect(await l.createTransfers([{ id: 'p3-post', pendingId: 'p3', flags: TRANSFER_FLAGS.POST_PENDING }])).toEqual(['pending_transfer_expired']);
    expect(await platform.jobs.runDue()).toBe(1);
    const after = await l.account('w1');
    expect(after.debitsPending).toBe(0n);
    expect(after.debitsPosted).toBe(held.debitsPosted + 400n);
    const verdict = await l.verify();
    expect(verdict.violations).toEqual([]);
    expect(verdict.ok).toBe(true);
  });

  it('writes the audit note of a request in the same commit, with its results', async () => {
    const l = platform.ledger;
    const results = await l.createTransfers(
      [
        { id: 'aud-1', debitAccountId: 'w1', creditAccountId: 'm1', amountMinor: 1n, currency: 'CNY' },
        { id: 'aud-2', debitAccountId: 'w1', creditAccountId: 'nobody', amountMinor: 1n, currency: 'CNY' },
      ],
      { audit: { actor: 'staff:test', action: 'ledger.transfers.create' } },
    );
    expect(results).toEqual(['ok', 'credit_account_not_found']);
    const row = await platform.store.db.selectFrom('audit_log').selectAll().where('actor', '=', 'staff:test').executeTakeFirstOrThrow();
    expect(JSON.parse(row.detail)).toEqual({ items: 2, firstId: 'aud-1', results: { ok: 1, credit_account_not_found: 1 } });
    expect(Number(row.at_ms)).toBe(nowMs);
  });

  it('pages an account history newest first and answers balances as of a past time', async () => {
    const l = platform.ledger;
    for (let i = 0; i < 5; i++) {
      nowMs += 1_000;
      expect(await l.createTransfers([{ id: `h${i}`, debitAccountId: 'm1', creditAccountId: 'w1', amountMinor: 10n, currency: 'CNY' }])).toEqual(['ok']);
    }
    const seen: string[] = [];
    let cursor: bigint | null = null;
    do {
      const page = await l.accountTransfers('m1', 2, cursor);
      expect(page.transfers.length).toBeLessThanOrEqual(2);
      seen.push(...page.transfers.map((t) => t.id));
      cursor = page.nextCursorTs;
    } while (cursor !== null);
    expect(seen.slice(0, 5)).toEqual(['h4', 'h3', 'h2', 'h1', 'h0']);
    expect(new Set(seen).size).toBe(seen.length);
    const h2 = await l.transfer('h2');
    const asOf = await l.balancesAsOf('m1', Number(h2.ts / 1000n));
    const now = await l.account('m1');
    expect(now.debitsPosted - asOf.debitsPosted).toBe(20n);
  });
});

describe('platform account ids', () => {
  it('are fixed per type and currency, and reserved', async () => {
    const database = await createTestDatabase('sqlite');
    const platform = await openPlatform(database.options);
    try {
      await expect(platform.ledger.createAccounts([{ id: 'my-reserve', type: 'reserve', currency: 'USD' }])).rejects.toMatchObject({ code: 'INVALID_REQUEST', param: 'accounts.0.id' });
      await expect(platform.ledger.createAccounts([{ id: 'platform:reserve:USD', type: 'wallet', currency: 'USD' }])).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
      expect(await platform.ledger.createAccounts([{ id: 'platform:reserve:USD', type: 'reserve', currency: 'USD' }])).toEqual(['ok']);
      expect(platform.writer.stats.commits).toBe(1);
    } finally {
      await platform.close();
      await database.drop();
    }
  });
});
