export { crc16CcittFalse, crcHex } from './crc.js';
export { QR_ERROR_CODES, type QrErrorCode, type QrIssue } from './errors.js';
export { parseTlv, type TlvObject } from './tlv.js';
export { SAOMA_GUID, SCHEMES, recognizeSchemes, type Scheme, type RootFields } from './schemes.js';
export { decodeEmv, encodeEmv, toEncodable, type EmvCode, type EmvObject, type EmvDecodeResult, type EmvEncodable, type Initiation } from './emv.js';
