import { randomInt } from 'node:crypto';
import { expect } from 'vitest';
import type { RuleSet } from '../../src/core/risk/index.js';
import { platformAccountId } from '../../src/core/ledger/index.js';
import { MerchantClient, SaomaApiError, WalletClient, type Merchant } from '../../src/sdk/index.js';
import { residentIdCheck } from '../../src/service/identity.js';
import type { Platform } from '../../src/service/platform.js';
import { call, openTestEnv, staffToken, type TestEnv } from '../http/helpers.js';
import type { StoreName } from '../helpers/stores.js';

/** A controllable clock for the wallet and payment services (the ledger keeps real time). */
export class TestClock {
  offsetMs = 0;
  now = (): number => Date.now() + this.offsetMs;
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

export interface World {
  readonly env: TestEnv;
  readonly base: string;
  readonly clock: TestClock;
  readonly adminToken: string;
  merchant(name?: string, options?: { approve?: boolean }): Promise<{ client: MerchantClient; merchant: Merchant; apiKey: string }>;
  wallet(name?: string, fundMinor?: bigint): Promise<WalletClient>;
  /** A funded wallet whose identity is verified (class II), with the identity it verified and its identifier. */
  verifiedWallet(name?: string, fundMinor?: bigint): Promise<{ wallet: WalletClient; identity: Identity; identifier: string }>;
  fund(consumerId: string, amountMinor: bigint): Promise<void>;
  /** Available balance (credits − debits − pending debits) of a ledger account. */
  available(accountId: string): Promise<bigint>;
  /** Available balances of several ledger accounts, in order. */
  balances(accountIds: readonly string[]): Promise<bigint[]>;
  verifyLedger(): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;
export function uniqueIdentifier(tag: string): string {
  counter++;
  return `${tag}.${process.pid}.${counter}.${Math.random().toString(36).slice(2, 8)}@example.com`;
}

export const SETTLEMENT_ACCOUNT = '6222020200112233';

/** A platform on a fresh database, an admin, and helpers to make approved merchants and funded wallets through the API. */
/**
 * A rule set that approves everything: for the tests of payment flows, limits and authorisation,
 * whose traffic (thirty 10-fen payments in a row, large first payments) the real rules rightly
 * find suspicious. The risk engine has its own tests (test/risk, test/payments/risk.test.ts).
 */
export const APPROVE_ALL_RULES: RuleSet = { version: 'tests-approve-all', thresholds: { challenge: 998, review: 999, decline: 1000 }, rules: [] };

export async function openWorld(store: StoreName, options: { riskRuleSet?: RuleSet } = {}): Promise<World> {
  const clock = new TestClock();
  const env = await openTestEnv(store, {
    platform: { nowMs: clock.now, riskRuleSet: options.riskRuleSet ?? APPROVE_ALL_RULES },
    app: { publicRateLimitPerMinute: 1_000_000, rateLimitPerMinute: 1_000_000 },
  });
  await env.platform.ledger.ensurePlatformAccounts('CNY');
  const adminToken = await staffToken(env.platform, 'admin');
  const base = env.base;
  let fundSeq = 0;
  const world: World = {
    env,
    base,
    clock,
    adminToken,
    async merchant(name = 'Noodle Stall', options = {}) {
      const applied = await MerchantClient.apply(
        { baseUrl: base },
        { legalName: `${name} Ltd`, displayName: name, licenceNumber: '91310000MA1FL0000X', mcc: '5812', address: '1 Nanjing Rd', city: 'Shanghai', settlementAccount: SETTLEMENT_ACCOUNT },
      );
      if (options.approve !== false) {
        const res = await call(base, 'POST', `/v1/ops/merchants/${applied.merchant.id}/review`, { token: adminToken, json: { decision: 'approve' } });
        expect(res.status, res.text).toBe(200);
      }
      return { client: applied.client, merchant: (await applied.client.me()).merchant, apiKey: applied.apiKey };
    },
    async verifiedWallet(name = 'Han Meimei', fundMinor = 0n) {
      const wallet = new WalletClient({ baseUrl: base });
      const identifier = uniqueIdentifier('v');
      await wallet.signUp({ identifier, displayName: name });
      const identity = { name, idNumber: residentIdNumber() };
      const consumer = await wallet.verifyIdentity(identity);
      expect(consumer.accountClass).toBe('II');
      if (fundMinor > 0n) await world.fund(wallet.consumerId!, fundMinor);
      return { wallet, identity, identifier };
    },
    async wallet(name = 'Li Lei', fundMinor = 0n) {
      const wallet = new WalletClient({ baseUrl: base });
      await wallet.signUp({ identifier: uniqueIdentifier('w'), displayName: name });
      if (fundMinor > 0n) await world.fund(wallet.consumerId!, fundMinor);
      return wallet;
    },
    async fund(consumerId, amountMinor) {
      // A top-up as the bank connector books it: the reserve grows with the wallet.
      const [result] = await env.platform.ledger.createTransfers([
        { id: `test-fund-${consumerId}-${++fundSeq}`, debitAccountId: platformAccountId('reserve', 'CNY'), creditAccountId: `wallet:${consumerId}:CNY`, amountMinor, currency: 'CNY' },
      ]);
      expect(result).toBe('ok');
    },
    async available(accountId) {
      const a = await env.platform.ledger.account(accountId);
      return a.creditsPosted - a.debitsPosted - a.debitsPending;
    },
    async balances(accountIds) {
      return Promise.all(accountIds.map((id) => world.available(id)));
    },
    async verifyLedger() {
      const verdict = await env.platform.ledger.verify();
      expect(verdict.ok, JSON.stringify(verdict, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).toBe(true);
    },
    close: () => env.close(),
  };
  return world;
}

export interface Identity {
  readonly name: string;
  readonly idNumber: string;
}

/** A random, well-formed PRC resident identity number (GB 11643: region, birth date, sequence, check character). */
export function residentIdNumber(): string {
  const birth = `19${randomInt(50, 99)}${String(randomInt(1, 13)).padStart(2, '0')}${String(randomInt(1, 29)).padStart(2, '0')}`;
  const first17 = `${randomInt(110_000, 660_000)}${birth}${String(randomInt(0, 1000)).padStart(3, '0')}`;
  return first17 + residentIdCheck(first17);
}

/** The SDK error a call fails with (fails the test when it succeeds or fails otherwise). */
export async function apiError(promise: Promise<unknown>): Promise<SaomaApiError> {
  let result: unknown;
  try {
    result = await promise;
  } catch (error) {
    if (error instanceof SaomaApiError) return error;
    throw error;
  }
  throw new Error(`expected the call to fail, but it answered ${stableJson(result)}`);
}

// Tables whose rows a refused request must leave exactly as they were. Left out: idempotency_keys
// (a refusal's answer is stored there by design, to be replayed) and settings.
const SNAPSHOT_TABLES = [
  'ledger_transfers',
  'ledger_pending',
  'jobs',
  'staff_tokens',
  'audit_log',
  'qr_signing_keys',
  'consumers',
  'devices',
  'sessions',
  'challenges',
  'merchants',
  'merchant_api_keys',
  'tills',
  'orders',
  'payments',
  'refunds',
  'spend_counters',
  'payment_code_attempts',
  'outbox_events',
  'webhook_endpoints',
  'webhook_attempts',
  'bank_transfers',
] as const;

const stableJson = (row: unknown) => JSON.stringify(row, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

export type DbSnapshot = Record<string, string[]>;

/**
 * Every row of the tables a request could write, as sorted JSON, and the ledger accounts holding
 * anything. An account with all-zero balances is left out: sign-up creates the wallet account
 * before the consumer row, and a refused sign-up leaves such an empty account behind by design.
 */
export async function dbSnapshot(platform: Platform): Promise<DbSnapshot> {
  const db = platform.store.db;
  const out: DbSnapshot = {};
  for (const table of SNAPSHOT_TABLES) {
    const rows = await db.selectFrom(table).selectAll().execute();
    out[table] = rows.map(stableJson).sort();
  }
  const accounts = await db.selectFrom('ledger_accounts').selectAll().execute();
  out.ledger_accounts = accounts
    .filter((a) => [a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted].some((v) => BigInt(v) !== 0n))
    .map(stableJson)
    .sort();
  return out;
}

/** The ledger alone: its transfers, pending states and the accounts holding anything. */
export async function ledgerSnapshot(platform: Platform): Promise<DbSnapshot> {
  const all = await dbSnapshot(platform);
  return { ledger_transfers: all.ledger_transfers!, ledger_pending: all.ledger_pending!, ledger_accounts: all.ledger_accounts! };
}

/** Fails with the rows that appeared or vanished, table by table. */
export function expectSameSnapshot(after: DbSnapshot, before: DbSnapshot, what = 'the refused requests'): void {
  const changes: Record<string, { added: string[]; removed: string[] }> = {};
  for (const table of Object.keys(before)) {
    const was = new Set(before[table]);
    const now = new Set(after[table]);
    const added = after[table]!.filter((r) => !was.has(r));
    const removed = before[table]!.filter((r) => !now.has(r));
    if (added.length > 0 || removed.length > 0) changes[table] = { added, removed };
  }
  expect(changes, `${what} wrote to the database`).toEqual({});
}
