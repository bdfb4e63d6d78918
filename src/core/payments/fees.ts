// Merchant discount fees and their refund. Pure integer arithmetic on minor units.

import { assert } from '../errors.js';

/** The fee of a payment at a rate in basis points, rounded half up to the minor unit. */
export function feeMinor(amountMinor: bigint, rateBp: number): bigint {
  assert(amountMinor >= 0n, 'amounts are not negative');
  assert(Number.isSafeInteger(rateBp) && rateBp >= 0 && rateBp <= 10_000, 'a fee rate is 0 to 10,000 basis points');
  return (amountMinor * BigInt(rateBp) + 5_000n) / 10_000n;
}

/**
 * The share of the fee a refund returns: proportional to the amount refunded so far, computed on
 * the running total so that partial refunds never return more than the fee and a refund of the
 * whole payment returns all of it (no cent lost or created by rounding).
 */
export function feeRefundMinor(input: {
  readonly amountMinor: bigint;
  readonly feeMinor: bigint;
  readonly refundedBeforeMinor: bigint;
  readonly feeRefundedBeforeMinor: bigint;
  readonly refundMinor: bigint;
}): bigint {
  const { amountMinor, feeMinor: fee, refundedBeforeMinor, feeRefundedBeforeMinor, refundMinor } = input;
  assert(refundMinor > 0n && refundedBeforeMinor + refundMinor <= amountMinor, 'a refund stays within the payment');
  const refundedAfter = refundedBeforeMinor + refundMinor;
  const dueAfter = refundedAfter === amountMinor ? fee : (fee * refundedAfter) / amountMinor;
  const share = dueAfter - feeRefundedBeforeMinor;
  assert(share >= 0n && feeRefundedBeforeMinor + share <= fee, 'fee refunds stay within the fee');
  return share;
}
