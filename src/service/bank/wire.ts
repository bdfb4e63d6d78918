import type { JobRunner } from '../../store/jobs/runner.js';
import type { Store } from '../../store/store.js';
import { BANK_DRIVE_GIVE_UP_AFTER_MS } from '../../core/limits.js';
import { FundsService } from '../funds.js';
import type { LedgerService } from '../ledger.js';
import { SETTLEMENT_RUN_JOB, SettlementService } from '../settlement.js';
import type { BankConnector } from './connector.js';
import { BANK_DRIVE_JOB, BankTransferDriver } from './driver.js';
import { SandboxBank } from './sandbox.js';

export interface BankServices {
  readonly bank: BankConnector;
  readonly driver: BankTransferDriver;
  readonly funds: FundsService;
  readonly settlement: SettlementService;
}

/**
 * Top-ups, withdrawals and settlements over one bank connector (the sandbox bank under
 * `<dataDir>/sandbox-bank/` unless another is given), with their job handlers registered.
 */
export function openBankServices(options: {
  readonly store: Store;
  readonly ledger: LedgerService;
  readonly jobs: JobRunner;
  readonly masterKey: Buffer;
  readonly dataDir: string;
  readonly bank?: BankConnector | undefined;
  readonly nowMs?: () => number;
}): BankServices {
  const { store, ledger, jobs, masterKey, nowMs } = options;
  const bank = options.bank ?? new SandboxBank(options.dataDir, { nowMs });
  const driver = new BankTransferDriver({ db: store.db, ledger, bank, masterKey, nowMs });
  const funds = new FundsService({ db: store.db, ledger, driver, masterKey, nowMs });
  const settlement = new SettlementService({ db: store.db, ledger, driver, masterKey, nowMs });
  // A bank that stays unreachable is retried for days (money sits in transit meanwhile), then left to an operator.
  jobs.register(BANK_DRIVE_JOB, (job) => driver.handleJob(job), { giveUpAfterMs: BANK_DRIVE_GIVE_UP_AFTER_MS });
  jobs.register(SETTLEMENT_RUN_JOB, (job) => settlement.handleJob(job));
  return { bank, driver, funds, settlement };
}
