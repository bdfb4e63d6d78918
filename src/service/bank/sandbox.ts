import fs from 'node:fs';
import path from 'node:path';
import { isKnownCurrency } from '../../core/money/index.js';
import { policyDay } from '../../core/policy/cn-pboc.js';
import { isValidBankAccount, maskBankAccount } from './account.js';
import { BankTransportError, type BankConnector, type BankInstruction, type BankOutcome } from './connector.js';
import { STATEMENT_HEADER, formatStatementLine, type StatementLine } from './statement.js';

/**
 * A pretend bank for development and tests, with deterministic rules keyed on the account's last
 * four digits (docs/decisions/0011-bank-connector-and-settlement.md):
 *   - `0000`: declined: `insufficient_funds` on a pull, `account_closed` on a push;
 *   - `1111`: the first call of each reference fails in transport (BankTransportError), every
 *     later call with that reference gets its answer (succeeded);
 *   - any other valid account: succeeded.
 * Its journal, `<dataDir>/sandbox-bank/journal.jsonl`, is append-only JSON lines, synced on every
 * write: the bank's memory of references, so its idempotency survives restarts. Statement files
 * `<dataDir>/sandbox-bank/statements/<YYYY-MM-DD>.csv` (value dates in Asia/Shanghai) list the
 * movements that moved money; they are derived from the journal and rebuilt when the bank opens.
 * One process at a time should own a data directory's sandbox bank: journal lines other
 * instances append are picked up before each call, but two simultaneous first calls of one
 * reference from two processes are not serialised.
 */
export class SandboxBank implements BankConnector {
  readonly dir: string;
  readonly statementsDir: string;
  private readonly journalPath: string;
  private readonly nowMs: () => number;
  /** Bytes of the journal applied to the maps below. */
  private offset = 0;
  private readonly movements = new Map<string, MovementEntry>();
  private readonly transportFailures = new Set<string>();

  constructor(dataDir: string, options: { nowMs?: () => number } = {}) {
    this.dir = path.join(dataDir, 'sandbox-bank');
    this.statementsDir = path.join(this.dir, 'statements');
    this.journalPath = path.join(this.dir, 'journal.jsonl');
    this.nowMs = options.nowMs ?? Date.now;
    fs.mkdirSync(this.statementsDir, { recursive: true, mode: 0o700 });
    this.dropTornTail();
    this.catchUp();
    this.rebuildStatements();
  }

  async pull(instruction: BankInstruction): Promise<BankOutcome> {
    return this.execute('pull', instruction);
  }

  async push(instruction: BankInstruction): Promise<BankOutcome> {
    return this.execute('push', instruction);
  }

  statementPath(valueDate: string): string {
    return path.join(this.statementsDir, `${valueDate}.csv`);
  }

  // Synchronous from the first look-up to the last write: calls of one process never interleave.
  private execute(operation: Operation, instruction: BankInstruction): BankOutcome {
    const { reference, account, amountMinor, currency } = instruction;
    if (!REFERENCE_PATTERN.test(reference)) throw new Error('sandbox bank: a reference is 1-64 characters of [A-Za-z0-9_.:-]');
    this.catchUp();
    const accountMasked = maskBankAccount(account);
    const seen = this.movements.get(reference);
    if (seen) {
      if (seen.operation !== operation || seen.amountMinor !== amountMinor.toString() || seen.currency !== currency || seen.accountMasked !== accountMasked) {
        throw new Error(`sandbox bank: reference ${reference} was already used for another instruction`);
      }
      return outcomeOf(seen);
    }
    const reason = declineReason(operation, instruction);
    if (reason === undefined && account.endsWith('1111') && !this.transportFailures.has(reference)) {
      this.append({ v: 1, type: 'transport_failure', reference, atMs: this.nowMs() });
      this.transportFailures.add(reference);
      throw new BankTransportError('sandbox bank: connection reset before an answer (accounts ending in 1111 fail once per reference)');
    }
    const valueDate = policyDay(this.nowMs());
    const sequence = this.movements.size + 1;
    const entry: MovementEntry = {
      v: 1,
      type: 'movement',
      operation,
      reference,
      accountMasked,
      amountMinor: amountMinor.toString(),
      currency,
      status: reason === undefined ? 'succeeded' : 'declined',
      bankReference: `SBX${valueDate.replaceAll('-', '')}${String(sequence).padStart(8, '0')}`,
      reason: reason ?? null,
      valueDate,
      atMs: this.nowMs(),
    };
    this.append(entry);
    this.movements.set(reference, entry);
    if (entry.status === 'succeeded') this.appendStatementLine(entry);
    return outcomeOf(entry);
  }

  // The offset is not advanced here: the next catchUp reads this line back (applying it again is
  // harmless), and so never skips a line another instance appended in between.
  private append(entry: JournalEntry): void {
    const fd = fs.openSync(this.journalPath, 'a', 0o600);
    try {
      const bytes = Buffer.from(JSON.stringify(entry) + '\n');
      fs.writeSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** A line cut short by a crash was never answered, so it never happened: cut it off. */
  private dropTornTail(): void {
    if (!fs.existsSync(this.journalPath)) return;
    const bytes = fs.readFileSync(this.journalPath);
    const end = bytes.lastIndexOf(0x0a) + 1;
    if (end !== bytes.length) fs.truncateSync(this.journalPath, end);
  }

  /** Applies the journal lines appended since the last look (by this or another instance). */
  private catchUp(): void {
    let size: number;
    try {
      size = fs.statSync(this.journalPath).size;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    if (size <= this.offset) return;
    const fresh = Buffer.alloc(size - this.offset);
    const fd = fs.openSync(this.journalPath, 'r');
    try {
      fs.readSync(fd, fresh, 0, fresh.length, this.offset);
    } finally {
      fs.closeSync(fd);
    }
    const end = fresh.lastIndexOf(0x0a) + 1;
    for (const line of fresh.subarray(0, end).toString('utf8').split('\n')) {
      if (line === '') continue;
      const entry = parseEntry(line);
      if (entry.type === 'transport_failure') this.transportFailures.add(entry.reference);
      else this.movements.set(entry.reference, entry);
    }
    this.offset += end;
  }

  private appendStatementLine(entry: MovementEntry): void {
    const file = this.statementPath(entry.valueDate);
    const line = formatStatementLine(statementLineOf(entry)) + '\n';
    try {
      fs.writeFileSync(file, STATEMENT_HEADER + '\n' + line, { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      fs.appendFileSync(file, line);
    }
  }

  /** Statements follow from the journal; a crash between the two writes is repaired here. */
  private rebuildStatements(): void {
    const byDay = new Map<string, string[]>();
    for (const entry of this.movements.values()) {
      if (entry.status !== 'succeeded') continue;
      const lines = byDay.get(entry.valueDate) ?? [];
      lines.push(formatStatementLine(statementLineOf(entry)));
      byDay.set(entry.valueDate, lines);
    }
    for (const [day, lines] of byDay) {
      const file = this.statementPath(day);
      const text = [STATEMENT_HEADER, ...lines, ''].join('\n');
      if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) continue;
      const temporary = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(temporary, text, { mode: 0o600 });
      fs.renameSync(temporary, file);
    }
  }
}

type Operation = 'pull' | 'push';

interface MovementEntry {
  readonly v: 1;
  readonly type: 'movement';
  readonly operation: Operation;
  readonly reference: string;
  readonly accountMasked: string;
  /** Decimal text: JSON has no 64-bit integers. */
  readonly amountMinor: string;
  readonly currency: string;
  readonly status: 'succeeded' | 'declined';
  readonly bankReference: string;
  readonly reason: string | null;
  readonly valueDate: string;
  readonly atMs: number;
}

interface TransportFailureEntry {
  readonly v: 1;
  readonly type: 'transport_failure';
  readonly reference: string;
  readonly atMs: number;
}

type JournalEntry = MovementEntry | TransportFailureEntry;

const REFERENCE_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

function declineReason(operation: Operation, { account, amountMinor, currency }: BankInstruction): string | undefined {
  if (!isValidBankAccount(account)) return 'invalid_account';
  if (amountMinor <= 0n) return 'invalid_amount';
  if (!isKnownCurrency(currency)) return 'unsupported_currency';
  if (account.endsWith('0000')) return operation === 'pull' ? 'insufficient_funds' : 'account_closed';
  return undefined;
}

function outcomeOf(entry: MovementEntry): BankOutcome {
  return { status: entry.status, bankReference: entry.bankReference, ...(entry.reason === null ? {} : { reason: entry.reason }) };
}

function statementLineOf(entry: MovementEntry): StatementLine {
  return {
    valueDate: entry.valueDate,
    bankReference: entry.bankReference,
    ourReference: entry.reference,
    direction: entry.operation === 'pull' ? 'credit' : 'debit',
    amountMinor: BigInt(entry.amountMinor),
    currency: entry.currency,
    counterpartyAccount: entry.accountMasked,
  };
}

function parseEntry(line: string): JournalEntry {
  const entry = JSON.parse(line) as JournalEntry;
  if (entry?.v !== 1 || (entry.type !== 'movement' && entry.type !== 'transport_failure') || typeof entry.reference !== 'string') {
    throw new Error('sandbox bank: the journal holds a line it did not write');
  }
  return entry;
}
