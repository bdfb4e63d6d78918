import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { platformAccountId } from '../../src/core/ledger/index.js';
import { openPlatform, type Platform } from '../../src/service/platform.js';
import { loadMasterKey, seal } from '../../src/service/secrets.js';
import { parseStatement, type StatementLine } from '../../src/service/bank/index.js';
import { merchantAccountId, walletAccountId } from '../../src/service/accounts.js';
import { createTestDatabase, type StoreName, type TestDatabase } from '../helpers/stores.js';

/**
 * A platform over a fresh database of one engine, with the sandbox bank in its data directory and
 * a job runner whose clock the test moves forward (`advance`). reopen() closes it and opens it
 * again over the same database and files, as a restart after a crash would.
 */
export class FundsEnv {
  platform!: Platform;
  private offsetMs = 0;
  private constructor(readonly database: TestDatabase) {}

  static async open(storeName: StoreName): Promise<FundsEnv> {
    const env = new FundsEnv(await createTestDatabase(storeName));
    await env.start();
    await env.platform.ledger.ensurePlatformAccounts('CNY');
    return env;
  }

  get dataDir(): string {
    return this.database.options.dataDir!;
  }

  get masterKey(): Buffer {
    return loadMasterKey(this.dataDir);
  }

  private async start(): Promise<void> {
    this.platform = await openPlatform({ ...this.database.options, jobs: { nowMs: () => Date.now() + this.offsetMs } });
  }

  async reopen(): Promise<void> {
    await this.platform.close();
    await this.start();
  }

  /** Moves the job runner's clock; the services keep the wall clock. */
  advance(ms: number): void {
    this.offsetMs += ms;
  }

  async close(): Promise<void> {
    try {
      await this.platform?.close();
    } finally {
      await this.database.drop();
    }
  }

  /** A consumer with a CNY wallet (ledger account only: the bank flows need no more). */
  async consumer(): Promise<string> {
    const id = `con_${randomBytes(8).toString('hex')}`;
    const [result] = await this.platform.ledger.createAccounts([{ id: walletAccountId(id, 'CNY'), type: 'wallet', currency: 'CNY' }]);
    expect(result).toBe('ok');
    return id;
  }

  /** A merchants row written directly, with its ledger account and a sealed settlement account. */
  async merchant(options: { status: 'pending' | 'approved' | 'suspended'; settlementAccount: string | null; currency?: string }): Promise<string> {
    const id = `mer_${randomBytes(8).toString('hex')}`;
    const currency = options.currency ?? 'CNY';
    const [result] = await this.platform.ledger.createAccounts([{ id: merchantAccountId(id, currency), type: 'merchant', currency }]);
    expect(result).toBe('ok');
    const account = options.settlementAccount;
    await this.platform.store.db
      .insertInto('merchants')
      .values({
        id,
        kind: 'business',
        legal_name: `Legal ${id}`,
        display_name: `Shop ${id}`,
        licence_number: '91310000000000000X',
        mcc: '5812',
        address: '1 Nanjing Road',
        city: 'Shanghai',
        country_code: 'CN',
        currency,
        settlement_account_sealed: account === null ? null : seal(this.masterKey, Buffer.from(account), `merchant:${id}:settlement`),
        settlement_account_masked: account === null ? null : `****${account.slice(-4)}`,
        status: options.status,
        owner_consumer_id: null,
        fee_rate_bp: 60,
        created_at_ms: BigInt(Date.now()),
        reviewed_at_ms: null,
      })
      .execute();
    return id;
  }

  /** Money from a wallet to a merchant, as a payment books it (minus the fee, which is not ours here). */
  async pay(consumerId: string, merchantId: string, amountMinor: bigint): Promise<void> {
    const [result] = await this.platform.ledger.createTransfers([
      {
        id: `test-pay-${randomBytes(8).toString('hex')}`,
        debitAccountId: walletAccountId(consumerId, 'CNY'),
        creditAccountId: merchantAccountId(merchantId, 'CNY'),
        amountMinor,
        currency: 'CNY',
      },
    ]);
    expect(result).toBe('ok');
  }

  /** What an account holds: credits less debits (posted), and less pending debits for liabilities. */
  async available(accountId: string): Promise<bigint> {
    const a = await this.platform.ledger.account(accountId);
    return a.creditsPosted - a.debitsPosted - a.debitsPending;
  }

  async wallet(consumerId: string): Promise<bigint> {
    return this.available(walletAccountId(consumerId, 'CNY'));
  }

  async merchantBalance(merchantId: string): Promise<bigint> {
    return this.available(merchantAccountId(merchantId, 'CNY'));
  }

  /** The reserve is an asset: debits less credits. */
  async reserve(): Promise<bigint> {
    const a = await this.platform.ledger.account(platformAccountId('reserve', 'CNY'));
    return a.debitsPosted - a.creditsPosted;
  }

  async inTransit(): Promise<bigint> {
    return this.available(platformAccountId('in_transit', 'CNY'));
  }

  async transferCount(): Promise<number> {
    const row = await this.platform.store.db.selectFrom('ledger_transfers').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async expectLedgerSound(): Promise<void> {
    const verdict = await this.platform.ledger.verify();
    expect(verdict.violations).toEqual([]);
    expect(verdict.ok).toBe(true);
  }

  /** Every line of every statement file the sandbox bank wrote. */
  statementLines(): StatementLine[] {
    const dir = path.join(this.dataDir, 'sandbox-bank', 'statements');
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.csv'))
      .sort()
      .flatMap((f) => parseStatement(fs.readFileSync(path.join(dir, f), 'utf8')));
  }
}
