import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SaomaError } from '../../src/core/errors.js';
import { BANK_DRIVE_DELAY_MS, TOPUP_MINOR_MAX } from '../../src/core/limits.js';
import { SandboxBank, ledgerIdsOf } from '../../src/service/bank/index.js';
import { BankTransferDriver } from '../../src/service/bank/driver.js';
import { unseal } from '../../src/service/secrets.js';
import { STORE_NAMES } from '../helpers/stores.js';
import { FundsEnv } from './helpers.js';

// Sandbox rules (decision 0011): ...0000 declines, ...1111 fails in transport once per reference.
const GOOD = '6222020200001234';
const DECLINES = '6222020200000000';
const FLAKY = '6222020211111111';

async function rejection(promise: Promise<unknown>): Promise<SaomaError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SaomaError);
  return error as SaomaError;
}

describe.each(STORE_NAMES)('top-ups and withdrawals on %s', (storeName) => {
  let env: FundsEnv;
  // Drives the platform's jobs as a restarted server would: the runner's clock past the delay.
  const runJobsLater = async () => {
    env.advance(BANK_DRIVE_DELAY_MS + 1);
    return env.platform.jobs.runDue();
  };
  // A second driver, as another process would run it: the same database, the same sandbox bank
  // files (each instance reads what others appended before it answers). Built per call, since
  // reopen() replaces the platform.
  const driver = () =>
    new BankTransferDriver({ db: env.platform.store.db, ledger: env.platform.ledger, bank: new SandboxBank(env.dataDir), masterKey: env.masterKey });

  beforeAll(async () => {
    env = await FundsEnv.open(storeName);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('a top-up pulls from the bank and credits the wallet from the reserve', async () => {
    const consumerId = await env.consumer();
    const reserveBefore = await env.reserve();
    const topUp = await env.platform.funds.topUp({ consumerId, amountMinor: 12_345n, currency: 'CNY', bankAccount: GOOD });
    expect(topUp).toMatchObject({ kind: 'topup', ownerKind: 'consumer', ownerId: consumerId, amountMinor: 12_345n, currency: 'CNY', accountMasked: '****1234', status: 'succeeded', reason: null });
    expect(topUp.bankReference).toMatch(/^SBX[0-9]{16}$/);
    expect(await env.wallet(consumerId)).toBe(12_345n);
    expect((await env.reserve()) - reserveBefore).toBe(12_345n);
    const credit = await env.platform.ledger.transfer(ledgerIdsOf(topUp.id).credit);
    expect(credit).toMatchObject({ debitAccountId: 'platform:reserve:CNY', creditAccountId: `wallet:${consumerId}:CNY`, amountMinor: 12_345n });
    await env.expectLedgerSound();
  });

  it('keeps the account number sealed at rest, bound to its row', async () => {
    const consumerId = await env.consumer();
    const topUp = await env.platform.funds.topUp({ consumerId, amountMinor: 100n, currency: 'CNY', bankAccount: GOOD });
    const row = await env.platform.store.db.selectFrom('bank_transfers').selectAll().where('id', '=', topUp.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).not.toContain(GOOD);
    expect(row.account_masked).toBe('****1234');
    expect(Buffer.from(unseal(env.masterKey, row.account_sealed, `bank_transfer:${topUp.id}`)).toString()).toBe(GOOD);
    expect(() => unseal(env.masterKey, row.account_sealed, 'bank_transfer:bt_other')).toThrow();
  });

  it('a withdrawal moves wallet → in transit at once, then in transit → reserve when the bank pays', async () => {
    const consumerId = await env.consumer();
    await env.platform.funds.topUp({ consumerId, amountMinor: 10_000n, currency: 'CNY', bankAccount: GOOD });
    const reserveBefore = await env.reserve();
    const inTransitBefore = await env.inTransit();
    const withdrawal = await env.platform.funds.withdraw({ consumerId, amountMinor: 4_000n, currency: 'CNY', bankAccount: '6222020200005678' });
    expect(withdrawal).toMatchObject({ kind: 'withdrawal', status: 'succeeded', amountMinor: 4_000n, accountMasked: '****5678' });
    expect(await env.wallet(consumerId)).toBe(6_000n);
    expect(await env.inTransit()).toBe(inTransitBefore);
    expect(reserveBefore - (await env.reserve())).toBe(4_000n);
    const ids = ledgerIdsOf(withdrawal.id);
    expect(await env.platform.ledger.transfer(ids.hold)).toMatchObject({ debitAccountId: `wallet:${consumerId}:CNY`, creditAccountId: 'platform:in_transit:CNY' });
    expect(await env.platform.ledger.transfer(ids.paid)).toMatchObject({ debitAccountId: 'platform:in_transit:CNY', creditAccountId: 'platform:reserve:CNY' });
    expect(await env.platform.ledger.reader.transfer(ids.returned)).toBeUndefined();
    await env.expectLedgerSound();
  });

  it('refuses a withdrawal the wallet does not cover, and writes nothing', async () => {
    const consumerId = await env.consumer();
    await env.platform.funds.topUp({ consumerId, amountMinor: 500n, currency: 'CNY', bankAccount: GOOD });
    const transfers = await env.transferCount();
    const error = await rejection(env.platform.funds.withdraw({ consumerId, amountMinor: 501n, currency: 'CNY', bankAccount: GOOD }));
    expect(error.code).toBe('INSUFFICIENT_FUNDS');
    expect(await env.wallet(consumerId)).toBe(500n);
    expect(await env.transferCount()).toBe(transfers);
    const page = await env.platform.funds.list(consumerId, { limit: 10 });
    expect(page.items.map((t) => t.kind)).toEqual(['topup']);
  });

  it('a declined top-up (…0000) moves no money and the row says why', async () => {
    const consumerId = await env.consumer();
    const transfers = await env.transferCount();
    const reserve = await env.reserve();
    const topUp = await env.platform.funds.topUp({ consumerId, amountMinor: 700n, currency: 'CNY', bankAccount: DECLINES });
    expect(topUp).toMatchObject({ status: 'declined', reason: 'insufficient_funds', accountMasked: '****0000' });
    expect(topUp.bankReference).toMatch(/^SBX/);
    expect(await env.wallet(consumerId)).toBe(0n);
    expect(await env.reserve()).toBe(reserve);
    expect(await env.transferCount()).toBe(transfers);
  });

  it('a declined withdrawal (…0000) gives the money back to the wallet', async () => {
    const consumerId = await env.consumer();
    await env.platform.funds.topUp({ consumerId, amountMinor: 2_000n, currency: 'CNY', bankAccount: GOOD });
    const reserve = await env.reserve();
    const inTransit = await env.inTransit();
    const withdrawal = await env.platform.funds.withdraw({ consumerId, amountMinor: 1_500n, currency: 'CNY', bankAccount: DECLINES });
    expect(withdrawal).toMatchObject({ status: 'declined', reason: 'account_closed' });
    expect(await env.wallet(consumerId)).toBe(2_000n);
    expect(await env.reserve()).toBe(reserve);
    expect(await env.inTransit()).toBe(inTransit);
    const ids = ledgerIdsOf(withdrawal.id);
    expect(await env.platform.ledger.transfer(ids.returned)).toMatchObject({ debitAccountId: 'platform:in_transit:CNY', creditAccountId: `wallet:${consumerId}:CNY`, amountMinor: 1_500n });
    expect(await env.platform.ledger.reader.transfer(ids.paid)).toBeUndefined();
    await env.expectLedgerSound();
  });

  it('a transport failure (…1111) leaves the transfer with the bank; the job finishes it, once', async () => {
    const consumerId = await env.consumer();
    const topUp = await env.platform.funds.topUp({ consumerId, amountMinor: 3_000n, currency: 'CNY', bankAccount: FLAKY });
    expect(topUp).toMatchObject({ status: 'bank_sent', bankReference: null });
    expect(await env.wallet(consumerId)).toBe(0n);
    const withdrawal = await env.platform.funds.withdraw({ consumerId: (await fundedConsumer(env, 1_000n)).id, amountMinor: 1_000n, currency: 'CNY', bankAccount: FLAKY });
    expect(withdrawal.status).toBe('bank_sent');
    // Not before its time.
    await env.platform.jobs.runDue();
    expect((await env.platform.funds.get(consumerId, topUp.id)).status).toBe('bank_sent');
    expect(await runJobsLater()).toBeGreaterThanOrEqual(2);
    expect(await env.platform.funds.get(consumerId, topUp.id)).toMatchObject({ status: 'succeeded', bankReference: expect.stringMatching(/^SBX/) });
    expect(await env.wallet(consumerId)).toBe(3_000n);
    expect((await env.platform.funds.get(withdrawal.ownerId, withdrawal.id)).status).toBe('succeeded');
    expect(await env.wallet(withdrawal.ownerId)).toBe(0n);
    const jobs = await env.platform.store.db.selectFrom('jobs').select(['id', 'status']).where('id', 'in', [`bank.drive:${topUp.id}`, `bank.drive:${withdrawal.id}`]).execute();
    expect(jobs.map((j) => j.status)).toEqual(['done', 'done']);
    // Running it all again changes nothing.
    await driver().drive(topUp.id);
    expect(await env.wallet(consumerId)).toBe(3_000n);
    await env.expectLedgerSound();
  });

  it('a crash after the bank pulled the money and before the ledger write: after the restart the job books it exactly once', async () => {
    const consumerId = await env.consumer();
    const created = await env.platform.funds.createTopUp({ consumerId, amountMinor: 8_800n, currency: 'CNY', bankAccount: GOOD });
    expect(created.status).toBe('created');
    const outcome = await driver().send(created.id);
    expect(outcome?.status).toBe('succeeded');
    // The process dies here: the bank took the money, the books do not know yet.
    expect((await env.platform.funds.get(consumerId, created.id)).status).toBe('bank_sent');
    expect(await env.wallet(consumerId)).toBe(0n);
    await env.reopen();
    // The job, and two more drivers at the same moment (a request retried, a runner whose lease ran out).
    await Promise.all([runJobsLater(), driver().record(created.id, outcome!), driver().drive(created.id)]);
    const done = await env.platform.funds.get(consumerId, created.id);
    expect(done).toMatchObject({ status: 'succeeded', bankReference: outcome!.bankReference });
    expect(await env.wallet(consumerId)).toBe(8_800n);
    // Re-driving, and recording the same answer again, move nothing.
    await driver().drive(created.id);
    await driver().record(created.id, outcome!);
    expect(await env.wallet(consumerId)).toBe(8_800n);
    // The bank moved the money once too.
    expect(env.statementLines().filter((l) => l.ourReference === created.id)).toHaveLength(1);
    await env.expectLedgerSound();
  });

  it('a crash after the bank paid a withdrawal out and before the ledger write: booked once after the restart', async () => {
    const { id: consumerId } = await fundedConsumer(env, 5_000n);
    const created = await env.platform.funds.createWithdrawal({ consumerId, amountMinor: 2_500n, currency: 'CNY', bankAccount: GOOD });
    expect(created.status).toBe('created');
    expect(await env.wallet(consumerId)).toBe(2_500n); // held at once
    const reserve = await env.reserve();
    const inTransit = await env.inTransit();
    const outcome = await driver().send(created.id);
    expect(outcome?.status).toBe('succeeded');
    await env.reopen();
    // The job, twice (a second runner after a lease ran out, say), and a request-path drive at once.
    await Promise.all([driver().drive(created.id), driver().drive(created.id), runJobsLater()]);
    expect((await env.platform.funds.get(consumerId, created.id)).status).toBe('succeeded');
    expect(await env.wallet(consumerId)).toBe(2_500n);
    expect(inTransit - (await env.inTransit())).toBe(2_500n);
    expect(reserve - (await env.reserve())).toBe(2_500n);
    expect(env.statementLines().filter((l) => l.ourReference === created.id)).toHaveLength(1);
    await env.expectLedgerSound();
  });

  it('a crash before the bank was asked: the job asks and books it', async () => {
    const consumerId = await env.consumer();
    const created = await env.platform.funds.createTopUp({ consumerId, amountMinor: 99n, currency: 'CNY', bankAccount: GOOD });
    await env.reopen();
    await runJobsLater();
    expect((await env.platform.funds.get(consumerId, created.id)).status).toBe('succeeded');
    expect(await env.wallet(consumerId)).toBe(99n);
  });

  it('checks amounts, currencies and account numbers before anything is written', async () => {
    const consumerId = await env.consumer();
    const base = { consumerId, amountMinor: 100n, currency: 'CNY', bankAccount: GOOD };
    const bad = async (change: Partial<typeof base>, code: string, param: string) => {
      const error = await rejection(env.platform.funds.topUp({ ...base, ...change }));
      expect({ code: error.code, param: error.param }).toEqual({ code, param });
      return error;
    };
    await bad({ amountMinor: 0n }, 'INVALID_REQUEST', 'amountMinor');
    await bad({ amountMinor: BigInt(TOPUP_MINOR_MAX) + 1n }, 'INVALID_REQUEST', 'amountMinor');
    await bad({ currency: 'XXX' }, 'INVALID_REQUEST', 'currency');
    await bad({ currency: 'USD' }, 'INVALID_REQUEST', 'currency'); // no USD wallet
    const short = await bad({ bankAccount: '1234567' }, 'BANK_ACCOUNT_INVALID', 'bankAccount');
    expect(short.message).not.toContain('1234567');
    await bad({ bankAccount: '6222 0202 0000 1234' }, 'BANK_ACCOUNT_INVALID', 'bankAccount');
    await bad({ bankAccount: '1'.repeat(31) }, 'BANK_ACCOUNT_INVALID', 'bankAccount');
    expect((await env.platform.funds.list(consumerId, { limit: 10 })).items).toEqual([]);
    // The bounds themselves are fine.
    expect((await env.platform.funds.topUp({ ...base, amountMinor: BigInt(TOPUP_MINOR_MAX), bankAccount: '12345678' })).status).toBe('succeeded');
  });

  it('shows a consumer only their own transfers, newest first, in pages', async () => {
    const alice = await env.consumer();
    const bob = await env.consumer();
    const made = [];
    for (const amountMinor of [100n, 200n, 300n]) {
      made.push(await env.platform.funds.topUp({ consumerId: alice, amountMinor, currency: 'CNY', bankAccount: GOOD }));
      // Order is by creation time in milliseconds (ties by id): keep the three apart.
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    const first = await env.platform.funds.list(alice, { limit: 2 });
    expect(first.items.map((t) => t.amountMinor)).toEqual([300n, 200n]);
    expect(first.nextCursor).not.toBeNull();
    const second = await env.platform.funds.list(alice, { limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((t) => t.amountMinor)).toEqual([100n]);
    expect(second.nextCursor).toBeNull();
    expect((await env.platform.funds.list(bob, { limit: 10 })).items).toEqual([]);
    expect((await rejection(env.platform.funds.get(bob, made[0]!.id))).code).toBe('BANK_TRANSFER_NOT_FOUND');
    expect((await rejection(env.platform.funds.get(alice, 'bt_nope'))).code).toBe('BANK_TRANSFER_NOT_FOUND');
    expect((await rejection(env.platform.funds.list(alice, { limit: 2, cursor: 'garbage!' }))).code).toBe('INVALID_CURSOR');
  });

  it('the statement files list exactly the movements that moved money, as the rows record them', async () => {
    const rows = await env.platform.store.db.selectFrom('bank_transfers').selectAll().where('status', '=', 'succeeded').execute();
    expect(rows.length).toBeGreaterThan(5);
    const expected = rows
      .map((r) => ({
        bankReference: r.bank_reference,
        ourReference: r.id,
        direction: r.kind === 'topup' ? 'credit' : 'debit',
        amountMinor: BigInt(r.amount_minor),
        currency: r.currency,
        counterpartyAccount: r.account_masked,
      }))
      .sort((a, b) => a.ourReference.localeCompare(b.ourReference));
    const lines = env
      .statementLines()
      .map(({ valueDate: _valueDate, ...rest }) => rest)
      .sort((a, b) => a.ourReference.localeCompare(b.ourReference));
    expect(lines).toEqual(expected);
    // Declined ones are not movements.
    const declined = await env.platform.store.db.selectFrom('bank_transfers').select('id').where('status', '=', 'declined').execute();
    expect(declined.length).toBeGreaterThan(0);
    for (const { id } of declined) expect(lines.some((l) => l.ourReference === id)).toBe(false);
  });
});

async function fundedConsumer(env: FundsEnv, amountMinor: bigint): Promise<{ id: string }> {
  const id = await env.consumer();
  const topUp = await env.platform.funds.topUp({ consumerId: id, amountMinor, currency: 'CNY', bankAccount: GOOD });
  expect(topUp.status).toBe('succeeded');
  return { id };
}
