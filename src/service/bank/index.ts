export { BankTransportError, type BankConnector, type BankInstruction, type BankOutcome, type BankStatus } from './connector.js';
export { SandboxBank } from './sandbox.js';
export { STATEMENT_HEADER, formatStatementLine, parseStatement, type StatementDirection, type StatementLine } from './statement.js';
export { checkBankAccount, isValidBankAccount, maskBankAccount } from './account.js';
export { BANK_DRIVE_JOB, BankTransferDriver, type BankDriverOptions } from './driver.js';
export { openBankServices, type BankServices } from './wire.js';
export {
  BANK_TRANSFER_STATUSES,
  OPEN_STATUSES,
  bankTransferOf,
  ledgerIdsOf,
  ownerAccountId,
  settlementDayOf,
  settlementId,
  type BankTransfer,
  type BankTransferKind,
  type BankTransferOwnerKind,
  type BankTransferStatus,
} from './transfers.js';
