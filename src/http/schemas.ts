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
/** Balances are sums: non-negative integers in minor units. */
export const BalanceMinor = Type.Integer({ minimum: 0 });
export const Currency = Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code' });
export const TimeoutMs = Type.Integer({ minimum: 0, maximum: PENDING_TIMEOUT_MS_MAX });
export const UserData = Type.Union([Type.String({ maxLength: 128 }), Type.Null()]);

/** Standard error responses for the OpenAPI document. */
export function errorResponses(...statuses: number[]): Record<number, typeof ErrorResponse> {
  return Object.fromEntries(statuses.map((s) => [s, ErrorResponse]));
}
