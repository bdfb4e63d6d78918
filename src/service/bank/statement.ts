/**
 * Bank statement files as the sandbox bank writes them (one CSV per value date), for the
 * reconciliation of the reserve against the custody account. Every field is drawn from a
 * character set without commas, quotes or line breaks, so the CSV needs no quoting.
 */

export const STATEMENT_HEADER = 'value_date,bank_reference,our_reference,direction,amount_minor,currency,counterparty_account';

/** Seen from the platform's custody account: a pull credits it, a push debits it. */
export type StatementDirection = 'credit' | 'debit';

export interface StatementLine {
  readonly valueDate: string;
  readonly bankReference: string;
  readonly ourReference: string;
  readonly direction: StatementDirection;
  readonly amountMinor: bigint;
  readonly currency: string;
  /** Masked (`****1234`): statements leave the bank and travel through files and e-mail. */
  readonly counterpartyAccount: string;
}

const FIELD = /^[A-Za-z0-9_.:*-]+$/;

export function formatStatementLine(line: StatementLine): string {
  const fields = [line.valueDate, line.bankReference, line.ourReference, line.direction, line.amountMinor.toString(), line.currency, line.counterpartyAccount];
  for (const field of fields) {
    if (!FIELD.test(field)) throw new Error(`statement field ${JSON.stringify(field)} would need CSV quoting`);
  }
  return fields.join(',');
}

/** Reads a statement file back (header first); throws on anything it did not write. */
export function parseStatement(text: string): StatementLine[] {
  const lines = text.split('\n');
  if (lines[0] !== STATEMENT_HEADER) throw new Error('not a statement file: the header differs');
  if (lines.at(-1) !== '') throw new Error('statement file does not end with a line break');
  return lines.slice(1, -1).map((raw, i) => {
    const f = raw.split(',');
    const [valueDate, bankReference, ourReference, direction, amount, currency, counterpartyAccount] = f;
    if (
      f.length !== 7 ||
      !valueDate ||
      !bankReference ||
      !ourReference ||
      (direction !== 'credit' && direction !== 'debit') ||
      !amount ||
      !/^[1-9][0-9]*$/.test(amount) ||
      !currency ||
      !counterpartyAccount
    ) {
      throw new Error(`statement line ${i + 2} is malformed`);
    }
    return { valueDate, bankReference, ourReference, direction, amountMinor: BigInt(amount), currency, counterpartyAccount };
  });
}
