import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPlatform, type Platform } from '../../src/service/platform.js';
import { TRANSFER_FLAGS, type TransferInput } from '../../src/core/ledger/index.js';
import { createTestDatabase, STORE_NAMES, type TestDatabase } from '../helpers/stores.js';
import { LedgerModel, type ModelTransferInput } from './reference-model.js';

// Time moves in ticks of 1 s, starting half-way into a second, and pending timeouts are whole
// seconds plus 500 ms. A pending transfer created at tick j with timeout t s + 500 ms has then
// expired (by its timestamp, and by its job's due time) exactly from tick j + t + 1 on, whatever
// microsecond the writer stamped it with: so the model can count ticks and still be exact.
const TICK_MS = 1000;
const BASE_MS = Date.UTC(2026, 0, 1) + 500;

type Op =
  | { kind: 'accounts'; items: Array<{ idx: number; currency: string; code: string; flags: number }> }
  | { kind: 'transfers'; items: Array<Omit<ModelTransferInput, 'id' | 'debit' | 'credit' | 'pendingId'> & { key: string; debit?: number | undefined; credit?: number | undefined; pendingKey?: string | undefined }> }
  | { kind: 'tick'; ticks: number }
  | { kind: 'retry' }
  | { kind: 'expire' };

const accountArb = fc.record({
  idx: fc.integer({ min: 0, max: 5 }),
  currency: fc.constantFrom('CNY', 'CNY', 'CNY', 'CNY', 'CNY', 'CNY', 'USD', 'XXX'),
  code: fc.constantFrom('wallet', 'merchant', 'reserve'),
  flags: fc.constantFrom(0, 1, 1, 1, 2, 2, 3),
});

// Mostly well-formed transfers (as clients send them), each with a one-in-four chance of one
// specific mistake, so that every rule is reached and so are the successful paths behind them.
const transferArb = fc
  .record({
    idx: fc.integer({ min: 0, max: 7 }),
    debit: fc.constantFrom(0, 0, 0, 1, 2, 3, 4, 5),
    credit: fc.integer({ min: 0, max: 5 }),
    amount: fc.bigInt({ min: 1n, max: 400n }),
    phase: fc.constantFrom('single', 'single', 'single', 'pending', 'pending', 'post', 'post', 'void'),
    linked: fc.constantFrom(false, false, false, false, false, true),
    pendingIdx: fc.integer({ min: 0, max: 7 }),
    timeoutTicks: fc.constantFrom(0, 0, 1, 2),
    postAmount: fc.option(fc.bigInt({ min: 1n, max: 400n }), { freq: 2, nil: undefined }),
    mistake: fc.oneof(
      { weight: 36, arbitrary: fc.constant('none') },
      fc.constantFrom('no-debit', 'no-credit', 'no-amount', 'zero-amount', 'unknown-currency', 'other-currency', 'no-currency'),
      fc.constantFrom('odd-pending-id', 'odd-timeout', 'two-phases', 'accounts-on-post', 'same-accounts', 'shared-id'),
    ),
  })
  .map((g): Extract<Op, { kind: 'transfers' }>['items'][number] => {
    const secondPhase = g.phase === 'post' || g.phase === 'void';
    const m = g.mistake;
    // Ids come from small pools per kind, so retries and clashes are frequent and posts and voids
    // usually find their pending transfer; 'shared-id' makes a transfer clash across kinds.
    const pool = m === 'shared-id' ? 'p' : g.phase === 'pending' ? 'p' : secondPhase ? 's' : 't';
    const t: Extract<Op, { kind: 'transfers' }>['items'][number] = {
      key: `${pool}${pool === 'p' ? g.idx % 4 : g.idx}`,
      flags: {
        linked: g.linked || undefined,
        pending: g.phase === 'pending' || undefined,
        post: g.phase === 'post' || (m === 'two-phases' && g.phase === 'void') || undefined,
        void: g.phase === 'void' || (m === 'two-phases' && g.phase !== 'post') || undefined,
      },
      timeoutTicks: g.phase === 'pending' ? g.timeoutTicks : m === 'odd-timeout' ? 1 : 0,
    };
    if (secondPhase) {
      t.pendingKey = m === 'odd-pending-id' ? undefined : `p${g.pendingIdx % 4}`;
      t.amount = g.phase === 'post' ? g.postAmount : undefined;
      if (m === 'accounts-on-post') {
        t.debit = g.debit;
        t.credit = g.credit;
        t.currency = 'CNY';
      }
    } else {
      t.debit = m === 'no-debit' ? undefined : g.debit;
      t.credit = m === 'no-credit' ? undefined : m === 'same-accounts' ? g.debit : g.credit;
      t.amount = m === 'no-amount' ? undefined : m === 'zero-amount' ? 0n : g.amount;
      t.currency = m === 'no-currency' ? undefined : m === 'unknown-currency' ? 'XXX' : m === 'other-currency' ? 'USD' : 'CNY';
      t.pendingKey = m === 'odd-pending-id' ? `p${g.pendingIdx % 4}` : undefined;
    }
    return t;
  });

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('accounts' as const), items: fc.array(accountArb, { minLength: 1, maxLength: 4 }) }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('transfers' as const), items: fc.array(transferArb, { minLength: 1, maxLength: 5 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('tick' as const), ticks: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'expire' as const }) },
  // A client retrying its last request verbatim, as after a timeout.
  { weight: 2, arbitrary: fc.constant({ kind: 'retry' as const }) },
);

describe.each(STORE_NAMES)('ledger agrees with the reference model on %s', (storeName) => {
  let database: TestDatabase;
  let platform: Platform;
  let tick = 0;
  let run = 0;
  const nowMs = () => BASE_MS + tick * TICK_MS;

  beforeAll(async () => {
    database = await createTestDatabase(storeName);
    platform = await openPlatform({ ...database.options, writer: { nowMs }, jobs: { nowMs } });
  });
  afterAll(async () => {
    await platform?.close();
    await database?.drop();
  });

  it('on every result code and balance, for random operation sequences', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 40 }), async (ops) => {
        await runOps(ops);
      }),
      // A fixed seed by default: the same 300 random sequences every run, so the coverage check
      // below cannot fail by chance (a run once drew no expired pending transfer at all).
      // SAOMA_PROPERTY_SEED explores others.
      { numRuns: Number(process.env.SAOMA_PROPERTY_RUNS ?? 300), seed: Number(process.env.SAOMA_PROPERTY_SEED ?? 20261129) },
    );
    if (process.env.DEBUG_MODEL) console.log(Object.fromEntries([...resultCounts].sort((a, b) => b[1] - a[1])));
    // The sequences must reach the interesting outcomes, not only rejections.
    for (const code of ['ok', 'exists', 'exceeds_credits', 'linked_event_failed', 'pending_transfer_already_posted', 'pending_transfer_already_voided', 'exceeds_pending_transfer_amount', 'pending_transfer_expired']) {
      expect(resultCounts.get(code) ?? 0, `result ${code} was never produced`).toBeGreaterThan(0);
    }
  });

  const resultCounts = new Map<string, number>();
  async function runOps(ops: Op[]): Promise<void> {{
        const prefix = `r${run++}-`;
        tick++;
        const model = new LedgerModel();
        model.tick = tick;
        const acct = (i: number | undefined) => (i === undefined ? undefined : `${prefix}a${i}`);
        let lastTransfers: Extract<Op, { kind: 'transfers' }> | undefined;
        // Every run opens with a reserve (a0) and five wallets; later operations add and clash.
        const setup: Op = {
          kind: 'accounts',
          items: [0, 1, 2, 3, 4, 5].map((idx) => ({ idx, currency: idx === 5 ? 'USD' : 'CNY', code: idx === 0 ? 'reserve' : 'wallet', flags: idx === 0 ? 2 : 1 })),
        };
        for (const original of [setup, ...ops]) {
          const op = original.kind === 'retry' ? lastTransfers : original;
          if (op === undefined) continue;
          if (op.kind === 'tick') {
            tick += op.ticks;
            model.tick = tick;
            continue;
          }
          if (op.kind === 'expire') {
            while ((await platform.jobs.runDue()) > 0);
            model.expireDue();
          } else if (op.kind === 'accounts') {
            const items = op.items.map((a) => ({ id: acct(a.idx)!, currency: a.currency, code: a.code, flags: a.flags }));
            const actual = await platform.writer.createAccounts(items);
            expect(actual).toEqual(items.map((a) => model.createAccount(a)));
          } else {
            lastTransfers = op;
            const modelItems: ModelTransferInput[] = op.items.map((t) => ({
              id: `${prefix}${t.key}`,
              debit: acct(t.debit),
              credit: acct(t.credit),
              amount: t.amount,
              currency: t.currency,
              pendingId: t.pendingKey === undefined ? undefined : `${prefix}${t.pendingKey}`,
              timeoutTicks: t.timeoutTicks,
              flags: t.flags,
            }));
            const inputs: TransferInput[] = modelItems.map((t) => ({
              id: t.id,
              debitAccountId: t.debit,
              creditAccountId: t.credit,
              amountMinor: t.amount,
              currency: t.currency,
              pendingId: t.pendingId,
              timeoutMs: t.timeoutTicks ? t.timeoutTicks * TICK_MS + 500 : 0,
              flags:
                (t.flags.linked ? TRANSFER_FLAGS.LINKED : 0) |
                (t.flags.pending ? TRANSFER_FLAGS.PENDING : 0) |
                (t.flags.post ? TRANSFER_FLAGS.POST_PENDING : 0) |
                (t.flags.void ? TRANSFER_FLAGS.VOID_PENDING : 0),
            }));
            const actual = await platform.writer.createTransfers(inputs);
            for (const r of actual) resultCounts.set(r, (resultCounts.get(r) ?? 0) + 1);
            expect(actual).toEqual(model.createTransfers(modelItems));
          }
          const ids = model.accountIds();
          const stored = new Map((await platform.ledger.reader.accounts(ids)).map((a) => [a.id, a]));
          for (const id of ids) {
            const m = model.account(id)!;
            const s = stored.get(id);
            expect(s && [s.debitsPending, s.debitsPosted, s.creditsPending, s.creditsPosted]).toEqual([m.dp, m.dP, m.cp, m.cP]);
          }
        }
  }}
});
