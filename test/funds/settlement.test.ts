import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SaomaError } from '../../src/core/errors.js';
import { BANK_DRIVE_DELAY_MS } from '../../src/core/limits.js';
import { policyDay } from '../../src/core/policy/cn-pboc.js';
import { ledgerIdsOf, settlementId } from '../../src/service/bank/index.js';
import { policyDayEndMs, type SettlementResult } from '../../src/service/settlement.js';
import { STORE_NAMES } from '../helpers/stores.js';
import { FundsEnv } from './helpers.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe.each(STORE_NAMES)('merchant settlement on %s', (storeName) => {
  let env: FundsEnv;
  let payer: string;
  const today = () => policyDay(Date.now());
  const yesterday = () => policyDay(Date.now() - DAY_MS);
  const resultFor = (results: readonly SettlementResult[], merchantId: string) => results.find((r) => r.merchantId === merchantId);

  async function paidEvents(merchantId: string) {
    const rows = await env.platform.store.db.selectFrom('outbox_events').selectAll().where('type', '=', 'settlement.paid').where('merchant_id', '=', merchantId).execute();
    return rows.map((r) => ({ id: r.id, data: JSON.parse(r.data) as Record<string, unknown> }));
  }

  beforeAll(async () => {
    env = await FundsEnv.open(storeName);
    payer = await env.consumer();
    const topUp = await env.platform.funds.topUp({ consumerId: payer, amountMinor: 1_000_000n, currency: 'CNY', bankAccount: '6222020200001234' });
    expect(topUp.status).toBe('succeeded');
  });
  afterAll(async () => {
    await env?.close();
  });

  it('pays approved merchants their available balance, skips suspended ones and zero balances, and settles once per day', async () => {
    const paid = await env.merchant({ status: 'approved', settlementAccount: '6222020200005678' });
    const suspended = await env.merchant({ status: 'suspended', settlementAccount: '6222020200006789' });
    const pending = await env.merchant({ status: 'pending', settlementAccount: '6222020200007890' });
    const idle = await env.merchant({ status: 'approved', settlementAccount: '6222020200008901' });
    const closed = await env.merchant({ status: 'approved', settlementAccount: '6222020200000000' });
    const unbanked = await env.merchant({ status: 'approved', settlementAccount: null });
    await env.pay(payer, paid, 12_000n);
    await env.pay(payer, suspended, 3_000n);
    await env.pay(payer, pending, 1_000n);
    await env.pay(payer, closed, 4_000n);
    await env.pay(payer, unbanked, 500n);
    const reserve = await env.reserve();

    const run = await env.platform.settlement.run({ day: today() });
    expect(run.day).toBe(today());
    const mine = run.results.filter((r) => [paid, suspended, pending, idle, closed, unbanked].includes(r.merchantId));
    expect(mine).toHaveLength(3);
    expect(resultFor(mine, paid)).toMatchObject({
      status: 'succeeded',
      settlementId: settlementId(paid, today()),
      amountMinor: 12_000n,
      currency: 'CNY',
      accountMasked: '****5678',
      bankReference: expect.stringMatching(/^SBX/),
      reason: null,
    });
    expect(resultFor(mine, closed)).toMatchObject({ status: 'declined', amountMinor: 4_000n, reason: 'account_closed' });
    expect(resultFor(mine, unbanked)).toMatchObject({ status: 'skipped', settlementId: null, amountMinor: 500n, reason: 'no_settlement_account' });
    expect(resultFor(mine, suspended)).toBeUndefined();
    expect(resultFor(mine, pending)).toBeUndefined();
    expect(resultFor(mine, idle)).toBeUndefined();

    expect(await env.merchantBalance(paid)).toBe(0n);
    expect(await env.merchantBalance(closed)).toBe(4_000n); // declined: back to the merchant
    expect(await env.merchantBalance(suspended)).toBe(3_000n);
    expect(await env.merchantBalance(pending)).toBe(1_000n);
    expect(await env.merchantBalance(unbanked)).toBe(500n);
    expect(await env.inTransit()).toBe(0n);
    expect(reserve - (await env.reserve())).toBe(12_000n);
    for (const id of [suspended, pending, idle, unbanked]) {
      expect(await env.platform.store.db.selectFrom('bank_transfers').select('id').where('owner_id', '=', id).execute()).toEqual([]);
    }
    const events = await paidEvents(paid);
    expect(events).toEqual([
      {
        id: `evt_settlement_paid_${settlementId(paid, today())}`,
        data: {
          settlementId: settlementId(paid, today()),
          merchantId: paid,
          day: today(),
          amountMinor: 12_000,
          currency: 'CNY',
          accountMasked: '****5678',
          bankReference: resultFor(mine, paid)!.bankReference,
        },
      },
    ]);
    expect(await paidEvents(closed)).toEqual([]);
    await env.expectLedgerSound();

    // The same day again, even with new takings: the day's settlement is the first one.
    await env.pay(payer, paid, 700n);
    const transfers = await env.transferCount();
    const again = await env.platform.settlement.run({ day: today() });
    expect(resultFor(again.results, paid)).toEqual(resultFor(mine, paid));
    expect(resultFor(again.results, closed)).toEqual(resultFor(mine, closed));
    expect(await env.transferCount()).toBe(transfers);
    expect(await env.merchantBalance(paid)).toBe(700n);
    expect(await paidEvents(paid)).toHaveLength(1);
    expect(env.statementLines().filter((l) => l.ourReference === settlementId(paid, today()))).toEqual([
      expect.objectContaining({ direction: 'debit', amountMinor: 12_000n, counterpartyAccount: '****5678' }),
    ]);

    // Another day is another settlement (a day the nightly job missed, run by hand).
    const late = await env.platform.settlement.run({ day: yesterday() });
    expect(resultFor(late.results, paid)).toMatchObject({ status: 'succeeded', settlementId: settlementId(paid, yesterday()), amountMinor: 700n });
    expect(await env.merchantBalance(paid)).toBe(0n);
    await env.expectLedgerSound();
  });

  it('runs twice at the same moment and still pays once', async () => {
    const merchant = await env.merchant({ status: 'approved', settlementAccount: '6222020200002345' });
    await env.pay(payer, merchant, 9_000n);
    const [a, b] = await Promise.all([env.platform.settlement.run({ day: today() }), env.platform.settlement.run({ day: today() })]);
    // A run that reads the merchants after the other paid finds nothing to settle and lists none.
    const seen = [resultFor(a.results, merchant), resultFor(b.results, merchant)].filter((r) => r !== undefined);
    expect(seen.length).toBeGreaterThanOrEqual(1);
    for (const r of seen) expect(r).toMatchObject({ status: 'succeeded', settlementId: settlementId(merchant, today()), amountMinor: 9_000n });
    expect(await env.merchantBalance(merchant)).toBe(0n);
    const rows = await env.platform.store.db.selectFrom('bank_transfers').selectAll().where('owner_id', '=', merchant).execute();
    expect(rows.map((r) => BigInt(r.amount_minor))).toEqual([9_000n]);
    expect(await paidEvents(merchant)).toHaveLength(1);
    await env.expectLedgerSound();
  });

  it('does not pay out money held by a pending debit', async () => {
    const merchant = await env.merchant({ status: 'approved', settlementAccount: '6222020200003456' });
    await env.pay(payer, merchant, 5_000n);
    const [held] = await env.platform.ledger.createTransfers([
      { id: `test-hold-${merchant}`, debitAccountId: `merchant:${merchant}:CNY`, creditAccountId: 'platform:suspense:CNY', amountMinor: 2_000n, currency: 'CNY', flags: 2 },
    ]);
    expect(held).toBe('ok');
    const run = await env.platform.settlement.run({ day: today() });
    expect(resultFor(run.results, merchant)).toMatchObject({ status: 'succeeded', amountMinor: 3_000n });
  });

  it('leaves a transport failure (…1111) in transit until the job finishes it', async () => {
    const merchant = await env.merchant({ status: 'approved', settlementAccount: '6222020211111111' });
    await env.pay(payer, merchant, 6_000n);
    const run = await env.platform.settlement.run({ day: today() });
    const id = settlementId(merchant, today());
    expect(resultFor(run.results, merchant)).toMatchObject({ status: 'bank_sent', settlementId: id, bankReference: null });
    expect(await env.merchantBalance(merchant)).toBe(0n);
    expect(await env.inTransit()).toBe(6_000n);
    expect(await paidEvents(merchant)).toEqual([]);
    env.advance(BANK_DRIVE_DELAY_MS + 1);
    await env.platform.jobs.runDue();
    expect(await env.inTransit()).toBe(0n);
    expect(await env.platform.ledger.transfer(ledgerIdsOf(id).paid)).toMatchObject({ amountMinor: 6_000n });
    expect(await paidEvents(merchant)).toHaveLength(1);
    await env.expectLedgerSound();
  });

  it('refuses a day that has not begun, and dates that do not exist', async () => {
    for (const day of [policyDay(Date.now() + DAY_MS), '2026-02-30', '26-01-01']) {
      const error = await env.platform.settlement.run({ day }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SaomaError);
      expect({ code: (error as SaomaError).code, param: (error as SaomaError).param }).toEqual({ code: 'INVALID_REQUEST', param: 'day' });
    }
  });

  it('the nightly job settles each policy day at its end and schedules the next day', async () => {
    const merchant = await env.merchant({ status: 'approved', settlementAccount: '6222020200004567' });
    await env.pay(payer, merchant, 4_200n);
    await env.platform.settlement.scheduleDaily();
    await env.platform.settlement.scheduleDaily(); // idempotent: one job per day
    const day = today();
    const jobs = await env.platform.store.db.selectFrom('jobs').selectAll().where('kind', '=', 'settlement.run').execute();
    expect(jobs.map((j) => [j.id, Number(j.run_at_ms)])).toEqual([[`settlement.run:${day}`, policyDayEndMs(day)]]);
    // Midnight in Shanghai is 16:00 UTC the day before.
    expect(new Date(policyDayEndMs('2026-03-01')).toISOString()).toBe('2026-03-01T16:00:00.000Z');
    expect(await env.platform.jobs.runDue()).toBe(0);
    env.advance(policyDayEndMs(day) - Date.now() + 1);
    await env.platform.jobs.runDue();
    expect(await env.merchantBalance(merchant)).toBe(0n);
    expect(await paidEvents(merchant)).toHaveLength(1);
    const after = await env.platform.store.db.selectFrom('jobs').select(['id', 'status', 'run_at_ms']).where('kind', '=', 'settlement.run').orderBy('id').execute();
    const next = policyDay(policyDayEndMs(day) + 1);
    expect(after.map((j) => [j.id, j.status])).toEqual([
      [`settlement.run:${day}`, 'done'],
      [`settlement.run:${next}`, 'queued'],
    ]);
    expect(Number(after[1]!.run_at_ms)).toBe(policyDayEndMs(next));
  });
});
