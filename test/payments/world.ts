import { expect } from 'vitest';
import { platformAccountId } from '../../src/core/ledger/index.js';
import { MerchantClient, WalletClient, type Merchant } from '../../src/sdk/index.js';
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
  fund(consumerId: string, amountMinor: bigint): Promise<void>;
  /** Available balance (credits − debits − pending debits) of a ledger account. */
  available(accountId: string): Promise<bigint>;
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
export async function openWorld(store: StoreName): Promise<World> {
  const clock = new TestClock();
  const env = await openTestEnv(store, { platform: { nowMs: clock.now }, app: { publicRateLimitPerMinute: 1_000_000, rateLimitPerMinute: 1_000_000 } });
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
    async verifyLedger() {
      const verdict = await env.platform.ledger.verify();
      expect(verdict.ok, JSON.stringify(verdict, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))).toBe(true);
    },
    close: () => env.close(),
  };
  return world;
}
