import { SaomaError } from '../../core/errors.js';
import { BANK_ACCOUNT_DIGITS_MAX, BANK_ACCOUNT_DIGITS_MIN } from '../../core/limits.js';

const ACCOUNT_PATTERN = new RegExp(`^[0-9]{${BANK_ACCOUNT_DIGITS_MIN},${BANK_ACCOUNT_DIGITS_MAX}}$`);

export function isValidBankAccount(account: string): boolean {
  return ACCOUNT_PATTERN.test(account);
}

/** Refuses anything but 8-30 digits; the message never repeats the number. */
export function checkBankAccount(account: string, param: string): void {
  if (!isValidBankAccount(account)) {
    throw new SaomaError(
      'BANK_ACCOUNT_INVALID',
      `a bank account number is ${BANK_ACCOUNT_DIGITS_MIN} to ${BANK_ACCOUNT_DIGITS_MAX} digits, without spaces or other characters`,
      param,
    );
  }
}

/** The only form an account number takes outside its sealed column: `****1234`. */
export function maskBankAccount(account: string): string {
  return `****${account.slice(-4)}`;
}
