export { crc16CcittFalse, crcHex } from './crc.js';
export { QR_ERROR_CODES, type QrErrorCode, type QrIssue } from './errors.js';
export { parseTlv, type TlvObject } from './tlv.js';
export { SAOMA_GUID, SCHEMES, recognizeSchemes, type Scheme, type RootFields } from './schemes.js';
export { decodeEmv, encodeEmv, toEncodable, type EmvCode, type EmvObject, type EmvDecodeResult, type EmvEncodable, type Initiation } from './emv.js';
export {
  buildMerchantCode,
  checkMerchantCode,
  claimsSaoma,
  withRecomputedCrc,
  base64UrlEncode,
  base64UrlDecode,
  KEY_ID_PATTERN,
  MERCHANT_ID_PATTERN,
  SIGNATURE_TEMPLATE_IDS,
  type MerchantCodeInput,
  type MerchantCodeCheck,
  type QrPublicKey,
  type Signer,
  type SignatureVerifier,
  type CounterfeitReason,
} from './merchant-code.js';
export { analyzeUrl, looksLikeUrl, type UrlVerdict, type UrlWarning } from './url.js';
export { scanVerdict, type ScanVerdict, type ScanContext } from './scan.js';
export * from './payment-code.js';
