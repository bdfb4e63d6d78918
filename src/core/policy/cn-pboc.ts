import {
  CN_PBOC_CLASS_III_YEARLY_MINOR_MAX,
  CN_PBOC_CLASS_II_YEARLY_MINOR_MAX,
  CN_PBOC_CLASS_I_SINCE_OPENING_MINOR_MAX,
  CN_PBOC_LEVEL_A_DAILY_MINOR_DEFAULT,
  CN_PBOC_LEVEL_B_DAILY_MINOR_MAX,
  CN_PBOC_LEVEL_C_DAILY_MINOR_MAX,
  CN_PBOC_LEVEL_D_DAILY_MINOR_MAX,
  CN_PBOC_PASSWORD_FREE_MINOR_MAX,
  CN_PBOC_UTC_OFFSET_MS,
} from '../limits.js';

/**
 * The `cn-pboc` policy pack: verification levels A-D of the PBOC barcode-payment rules, their daily
 * caps, and the caps of payment-account classes I-III (docs/decisions/0008-verification-levels.md).
 * Pure: usage so far and the time come in as arguments.
 */

/** How the payment reached the platform. */
export type PaymentChannel = 'static_merchant_code' | 'dynamic_merchant_code' | 'payment_code' | 'transfer';

/** PBOC's three factor kinds: something known, held, or inherent to the customer. */
export type FactorKind = 'knowledge' | 'possession' | 'inherence';

export interface Verification {
  /** The payment was confirmed by signing payee, amount, currency and nonce with a bound device
   * key or passkey: an electronic signature in PBOC's terms (a possession factor). */
  readonly signed: boolean;
  /** Every factor kind presented, the signature's possession included. */
  readonly factors: ReadonlySet<FactorKind>;
}

export type Level = 'A' | 'B' | 'C' | 'D';
export type AccountClass = 'I' | 'II' | 'III';

/** The level of one payment, by the table of decision 0008. */
export function verificationLevel(channel: PaymentChannel, verification: Verification): Level {
  if (channel === 'static_merchant_code') return 'D';
  const kinds = verification.factors.size;
  if (kinds >= 2 && verification.signed) return 'A';
  if (kinds >= 2) return 'B';
  return 'C';
}

export function dailyCapMinor(level: Level, agreedLevelACapMinor: bigint = CN_PBOC_LEVEL_A_DAILY_MINOR_DEFAULT): bigint {
  switch (level) {
    case 'A':
      return agreedLevelACapMinor;
    case 'B':
      return CN_PBOC_LEVEL_B_DAILY_MINOR_MAX;
    case 'C':
      return CN_PBOC_LEVEL_C_DAILY_MINOR_MAX;
    case 'D':
      return CN_PBOC_LEVEL_D_DAILY_MINOR_MAX;
  }
}

/** Whether a merchant-scanned payment code of this amount must wait for the customer's PIN. */
export function needsPin(channel: PaymentChannel, amountMinor: bigint): boolean {
  return channel === 'payment_code' && amountMinor > CN_PBOC_PASSWORD_FREE_MINOR_MAX;
}

/** The policy's calendar day ("2026-11-29") and year of an instant, in Asia/Shanghai. */
export function policyDay(nowMs: number): string {
  return new Date(nowMs + CN_PBOC_UTC_OFFSET_MS).toISOString().slice(0, 10);
}

export function policyYear(nowMs: number): string {
  return policyDay(nowMs).slice(0, 4);
}

/** What the customer already spent, as the store counts it (balance payments for the class caps). */
export interface Usage {
  /** Today's (policy day) total per level, this payment excluded. */
  readonly todayByLevelMinor: Readonly<Record<Level, bigint>>;
  readonly balanceSinceOpeningMinor: bigint;
  readonly balanceThisYearMinor: bigint;
}

export interface PaymentToCheck {
  readonly channel: PaymentChannel;
  readonly verification: Verification;
  readonly amountMinor: bigint;
  readonly currency: string;
  readonly accountClass: AccountClass;
  /** Paid from the wallet balance (the class caps apply) rather than a linked bank card. */
  readonly fromBalance: boolean;
  readonly agreedLevelACapMinor?: bigint;
}

export type PolicyLimit = 'level_daily' | 'class_since_opening' | 'class_yearly';

export type PolicyDecision =
  | { readonly ok: true; readonly level: Level; readonly compensationPromise: boolean }
  | {
      readonly ok: false;
      readonly code: 'POLICY_LIMIT_EXCEEDED' | 'POLICY_CURRENCY_UNSUPPORTED';
      readonly level: Level;
      readonly limit?: PolicyLimit;
      readonly capMinor?: bigint;
      readonly usedMinor?: bigint;
      readonly message: string;
    };

function yuan(minor: bigint): string {
  return `${minor / 100n}.${String(minor % 100n).padStart(2, '0')} yuan`;
}

/** Applies the level's daily cap and the account class's cap; level C carries the compensation promise. */
export function checkPayment(payment: PaymentToCheck, usage: Usage): PolicyDecision {
  const level = verificationLevel(payment.channel, payment.verification);
  if (payment.currency !== 'CNY') {
    return { ok: false, code: 'POLICY_CURRENCY_UNSUPPORTED', level, message: `the cn-pboc policy covers CNY payments, not ${payment.currency}` };
  }
  const cap = dailyCapMinor(level, payment.agreedLevelACapMinor);
  const today = usage.todayByLevelMinor[level];
  if (today + payment.amountMinor > cap) {
    return {
      ok: false,
      code: 'POLICY_LIMIT_EXCEEDED',
      level,
      limit: 'level_daily',
      capMinor: cap,
      usedMinor: today,
      message: `level ${level} payments are capped at ${yuan(cap)} a day; ${yuan(today)} already paid today`,
    };
  }
  if (payment.fromBalance) {
    if (payment.accountClass === 'I' && usage.balanceSinceOpeningMinor + payment.amountMinor > CN_PBOC_CLASS_I_SINCE_OPENING_MINOR_MAX) {
      return {
        ok: false,
        code: 'POLICY_LIMIT_EXCEEDED',
        level,
        limit: 'class_since_opening',
        capMinor: CN_PBOC_CLASS_I_SINCE_OPENING_MINOR_MAX,
        usedMinor: usage.balanceSinceOpeningMinor,
        message: `a class I account may pay ${yuan(CN_PBOC_CLASS_I_SINCE_OPENING_MINOR_MAX)} from its balance in all; verify your identity to raise it`,
      };
    }
    const yearly = payment.accountClass === 'II' ? CN_PBOC_CLASS_II_YEARLY_MINOR_MAX : payment.accountClass === 'III' ? CN_PBOC_CLASS_III_YEARLY_MINOR_MAX : undefined;
    if (yearly !== undefined && usage.balanceThisYearMinor + payment.amountMinor > yearly) {
      return {
        ok: false,
        code: 'POLICY_LIMIT_EXCEEDED',
        level,
        limit: 'class_yearly',
        capMinor: yearly,
        usedMinor: usage.balanceThisYearMinor,
        message: `a class ${payment.accountClass} account may pay ${yuan(yearly)} a year from its balance`,
      };
    }
  }
  return { ok: true, level, compensationPromise: level === 'C' };
}
