import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPlatform, type Platform } from '../../src/service/platform.js';
import { TRANSFER_FLAGS, platformAccountId, type TransferInput, type TransferResult } from '../../src/core/ledger/index.js';
import { createTestDatabase, STORE_NAMES, type TestDatabase } from '../helpers/stores.js';

const CLIENTS = 32;
const OPS_PER_CLIENT = 100;
const WALLETS = 16;
const MERCHANTS = 6; // two of them take most payments: hot accounts
// Half the wallets are rich, half run dry within the run: both the happy path and refused
// overdrafts happen in volume.
const fundingOf = (i: number) => (i % 2 === 0 ? 2_000_000n : 20_000n);
const FUNDING_TOTAL_MINOR = Array.from({ length: 16 }, (_, i) => fundingOf(i)).reduce((a, b) => a + b, 0n);

/** A small seeded generator, so a failure can be replayed with the same seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe.each(STORE_NAMES)('32 concurrent clients on %s', (storeName) => {
  let database: TestDatabase;
  let platform: Platform;

  beforeAll(async () => {
    database = await createTestDatabase(storeName);
    platform = await openPlatform(database.options);
  });
  afterAll(async () => {
    await platform?.close();
    await database?.drop();
  });

  it('conserve money exactly, never overdraw, and apply each transfer id once', async () => {
    const ledger = platform.ledger;
    const reserve = platformAccountId('reserve', 'CNY');
    await ledger.ensurePlatformAccounts('CNY');
    const wallets = Array.from({ length: WALLETS }, (_, i) => `w${i}`);
    const merchants = Array.from({ length: MERCHANTS }, (_, i) => `m${i}`);
    await ledger.createAccounts([
      ...wallets.map((id) => ({ id, type: 'wallet' as const, currency: 'CNY' })),
      ...merchants.map((id) => ({ id, type: 'merchant' as const, currency: 'CNY' })),
    ]);
    expect(
      await ledger.createTransfers(wallets.map((w, i) => ({ id: `fund-${w}`, debitAccountId: reserve, creditAccountId: w, amountMinor: fundingOf(i), currency: 'CNY' }))),
    ).toEqual(wallets.map(() => 'ok'));

    const seed = Number(process.env.SAOMA_SEED ?? Date.now() % 1_000_000);
    const okCount = new Map<string, number>();
    const sent = new Map<string, TransferInput>();
    const requests: TransferInput[][] = [];
    let refusedOverdrafts = 0;
    const pendingIds: string[] = [];
    const secondPhaseOk = new Map<string, string[]>();
    const record = (inputs: TransferInput[], results: TransferResult[]) => {
      inputs.forEach((t, i) => {
        const r = results[i];
        if (r === 'exceeds_credits') refusedOverdrafts++;
        if (r === 'ok') {
          okCount.set(t.id, (okCount.get(t.id) ?? 0) + 1);
          if (t.pendingId) secondPhaseOk.set(t.pendingId, [...(secondPhaseOk.get(t.pendingId) ?? []), t.id]);
          if ((t.flags ?? 0) & TRANSFER_FLAGS.PENDING) pendingIds.push(t.id);
        }
        expect(r === 'ok' || r === 'exists' || r === 'exceeds_credits' || r === 'linked_event_failed' || r?.startsWith('pending_transfer_') || r === 'exceeds_pending_transfer_amount', `unexpected ${r} for ${t.id}`).toBe(true);
      });
    };

    const client = async (c: number) => {
      const random = rng(seed * 100 + c);
      const pick = <T,>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
      for (let op = 0; op < OPS_PER_CLIENT; op++) {
        const roll = random();
        let batch: TransferInput[];
        const payment = (id: string, flags = 0): TransferInput => ({
          id,
          debitAccountId: pick(wallets),
          creditAccountId: random() < 0.8 ? pick(merchants.slice(0, 2)) : pick(merchants),
          amountMinor: BigInt(1 + Math.floor(random() * 3_000)),
          currency: 'CNY',
          flags,
        });
        if (roll < 0.4) {
          batch = Array.from({ length: 1 + Math.floor(random() * 4) }, (_, k) => payment(`c${c}-${op}-${k}`));
        } else if (roll < 0.6) {
          batch = [payment(`c${c}-${op}-hold`, TRANSFER_FLAGS.PENDING)];
        } else if (roll < 0.8 && pendingIds.length > 0) {
          // Races: several clients post or void the same pending transfer at once.
          const pendingId = pick(pendingIds.slice(-8));
          const post = random() < 0.5;
          batch = [{ id: `c${c}-${op}-${post ? 'post' : 'void'}`, pendingId, flags: post ? TRANSFER_FLAGS.POST_PENDING : TRANSFER_FLAGS.VOID_PENDING }];
        } else if (roll < 0.9 && sent.size > 0) {
          // A retry of somebody's earlier request: must not apply twice.
          batch = pick(requests.slice(-50));
        } else {
          // A linked pair: a payment and its fee, all or none.
          batch = [payment(`c${c}-${op}-pay`, TRANSFER_FLAGS.LINKED), { ...payment(`c${c}-${op}-fee`), creditAccountId: platformAccountId('fees', 'CNY'), amountMinor: 10n }];
        }
        for (const t of batch) sent.set(t.id, t);
        requests.push(batch);
        record(batch, await ledger.createTransfers(batch));
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));

    // Each transfer id applied once, and a pending transfer resolved at most once.
    for (const [id, n] of okCount) expect(n, `transfer ${id} applied ${n} times (seed ${seed})`).toBe(1);
    for (const [pendingId, ids] of secondPhaseOk) expect(ids.length, `${pendingId} resolved by ${ids.join(', ')}`).toBe(1);
    const stored = await ledger.reader.transfers([...okCount.keys()]);
    expect(stored.length).toBe(okCount.size);
    for (const t of stored) {
      const asked = sent.get(t.id)!;
      if (asked.amountMinor !== undefined) expect(t.amountMinor).toBe(asked.amountMinor);
    }
    expect(okCount.size, `seed ${seed}`).toBeGreaterThan(CLIENTS * 20);
    expect(refusedOverdrafts, `seed ${seed}: overdrafts were attempted and refused`).toBeGreaterThan(0);

    // Money conserved exactly: everything in wallets, merchants and fees came from the funding.
    const accounts = await ledger.reader.accounts([...wallets, ...merchants, platformAccountId('fees', 'CNY'), reserve]);
    let held = 0n;
    for (const a of accounts) {
      if (a.id === reserve) {
        expect(a.debitsPosted - a.creditsPosted).toBe(FUNDING_TOTAL_MINOR);
        continue;
      }
      expect(a.debitsPosted + a.debitsPending, `${a.id} overdrawn`).toBeLessThanOrEqual(a.creditsPosted);
      held += a.creditsPosted + a.creditsPending - a.debitsPosted - a.debitsPending;
    }
    expect(held).toBe(FUNDING_TOTAL_MINOR);
    const verdict = await ledger.verify();
    expect(verdict.violations).toEqual([]);
    // Group commit did its job: far fewer commits than requests.
    expect(platform.writer.stats.commits).toBeLessThan(CLIENTS * OPS_PER_CLIENT);
  });
});
