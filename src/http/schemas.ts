import { Type } from 'typebox';
import { AMOUNT_MINOR_MAX, LEDGER_ID_LENGTH_MAX, PENDING_TIMEOUT_MS_MAX } from '../core/limits.js';

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      type: Type.String(),
      code: Type.String(),
      message: Type.String(),
      param: Type.Optional(Type.String()),
    }),
  },
  { $id: 'ErrorResponse' },
);

export const LedgerId = Type.String({ minLength: 1, maxLength: LEDGER_ID_LENGTH_MAX, pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' });
/** A JSON integer in minor units; larger values would be rounded by JSON parsers, so they are refused. */
export const AmountMinor = Type.Integer({ minimum: 1, maximum: AMOUNT_MINOR_MAX, description: 'integer minor units (e.g. fen)' });
/**
 * Balance columns are running totals and may outgrow 2^53−1 over a platform's life (the store
 * keeps 64 bits). Up to 2^53−1 they are JSON integers; beyond, a decimal string, so that no JSON
 * parser silently rounds them.
 */
export const BalanceMinor = Type.Union([Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }), Type.String({ pattern: '^[0-9]{16,19}$' })], {
  description: 'integer minor units; a decimal string when above 2^53−1',
});
/** A net position (may be negative in books that fail verification). */
export const NetMinor = Type.Union([Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }), Type.String({ pattern: '^-?[0-9]{16,19}$' })], {
  description: 'integer minor units; a decimal string when beyond ±(2^53−1)',
});

/** A bigint as a JSON integer when that is exact, otherwise as a decimal string. */
export function minorOut(v: bigint): number | string {
  return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
}
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' });
export const TimeoutMs = Type.Integer({ minimum: 0, maximum: PENDING_TIMEOUT_MS_MAX });
export const UserData = Type.Union([Type.String({ maxLength: 128 }), Type.Null()]);

/** Standard error responses for the OpenAPI document. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorResponse> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorResponse]));
}
