export * from './types.js';
export { LedgerWorkingSet, type LedgerReadView, type LedgerChanges } from './working-set.js';
export {
  createAccounts,
  createTransfers,
  isValidLedgerId,
  expiryTransferId,
  LEDGER_ID_PATTERN,
  ACCOUNT_CODE_PATTERN,
  USER_DATA_LENGTH_MAX,
  type LedgerClock,
  type ExecuteOptions,
} from './execute.js';
export * from './chart.js';
export { verifyLedger, type AccountAudit, type LedgerVerdict, type LedgerViolation, type CurrencySummary } from './verify.js';
