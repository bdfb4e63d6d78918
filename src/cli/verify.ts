import { minorUnitDigits } from '../core/money/index.js';
import type { LedgerVerdict } from '../core/ledger/index.js';

function major(amountMinor: bigint, currency: string): string {
  const digits = minorUnitDigits(currency);
  const negative = amountMinor < 0n;
  const abs = (negative ? -amountMinor : amountMinor).toString().padStart(digits + 1, '0');
  const text = digits === 0 ? abs : `${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
  return `${negative ? '-' : ''}${text} ${currency}`;
}

/** The one-line verdict of `saoma ledger verify`, then one line per violation. */
export function formatVerdict(v: LedgerVerdict): string {
  const money = v.currencies
    .map((c) => `${c.currency}: reserve ${major(c.reserveMinor, c.currency)} = customer funds ${major(c.customerFundsMinor, c.currency)} + platform claims ${major(c.platformClaimsMinor, c.currency)}`)
    .join('; ');
  if (v.ok) return `ledger ok: ${v.accounts} accounts balanced, 100% reserve holds, no overdraft${money ? ` (${money})` : ''}`;
  return [`ledger VIOLATED: ${v.violations.length} violation(s) in ${v.accounts} accounts`, ...v.violations.map((x) => `  [${x.check}] ${x.detail}`)].join('\n');
}
