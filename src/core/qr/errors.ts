/** Stable codes of everything the QR codec can refuse or warn about. */
export const QR_ERROR_CODES = [
  'QR_EMPTY',
  'QR_TOO_LONG',
  'QR_BAD_CHARACTER',
  'QR_CRC_MISSING',
  'QR_CRC_FORMAT_INVALID',
  'QR_CRC_MISMATCH',
  'QR_CRC_LOWERCASE',
  'QR_TLV_ID_INVALID',
  'QR_TLV_LENGTH_INVALID',
  'QR_TLV_LENGTH_OVERRUN',
  'QR_DUPLICATE_FIELD',
  'QR_FIELD_ORDER',
  'QR_FORMAT_INDICATOR_INVALID',
  'QR_MISSING_FIELD',
  'QR_FIELD_INVALID',
  'QR_FIELD_TOO_LONG',
  'QR_AMOUNT_INVALID',
  'QR_FIELD_CONDITION',
  'QR_FIELD_UNDEFINED',
  'QR_TEMPLATE_INVALID',
  'QR_TEMPLATE_NOT_TLV',
  'QR_SCHEME_RULE',
  'QR_PAYLOAD_LONG',
] as const;
export type QrErrorCode = (typeof QR_ERROR_CODES)[number];

/** Where and why: `field` is the id path ("59", "26.25"), `offset` counts characters (code points). */
export interface QrIssue {
  readonly code: QrErrorCode;
  readonly message: string;
  readonly field?: string;
  readonly offset?: number;
}
