import { ACCOUNT_FLAGS } from './types.js';

/**
 * The platform's chart of accounts (DESIGN.md §4). The reserve is the only asset: the custody
 * account holding every unit of money. Every other account is a claim on it and may never be
 * negative, which is what keeps customer funds covered 1:1.
 */
export const ACCOUNT_TYPES = {
  reserve: { side: 'asset', group: 'reserve', flags: ACCOUNT_FLAGS.CREDITS_MUST_NOT_EXCEED_DEBITS },
  wallet: { side: 'liability', group: 'customer_funds', flags: ACCOUNT_FLAGS.DEBITS_MUST_NOT_EXCEED_CREDITS },
  merchant: { side: 'liability', group: 'customer_funds', flags: ACCOUNT_FLAGS.DEBITS_MUST_NOT_EXCEED_CREDITS },
  fees: { side: 'liability', group: 'platform_claims', flags: ACCOUNT_FLAGS.DEBITS_MUST_NOT_EXCEED_CREDITS },
  compensation_fund: { side: 'liability', group: 'platform_claims', flags: ACCOUNT_FLAGS.DEBITS_MUST_NOT_EXCEED_CREDITS },
  suspense: { side: 'liability', group: 'platform_claims', flags: ACCOUNT_FLAGS.DEBITS_MUST_NOT_EXCEED_CREDITS },
  in_transit: { side: 'liability', group: 'platform_claims', flags: ACCOUNT_FLAGS.DEBITS_MUST_NOT_EXCEED_CREDITS },
} as const;

export type AccountType = keyof typeof ACCOUNT_TYPES;
export const ACCOUNT_TYPE_NAMES = Object.keys(ACCOUNT_TYPES) as AccountType[];
/** The platform's own accounts, one per type and currency: `platform:<type>:<currency>`. */
export const PLATFORM_ACCOUNT_TYPES = ['reserve', 'fees', 'compensation_fund', 'suspense', 'in_transit'] as const;

export function isAccountType(code: string): code is AccountType {
  return Object.hasOwn(ACCOUNT_TYPES, code);
}

export function platformAccountId(type: (typeof PLATFORM_ACCOUNT_TYPES)[number], currency: string): string {
  return `platform:${type}:${currency}`;
}
