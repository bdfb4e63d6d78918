import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { crcHex, decodeEmv, encodeEmv, toEncodable, type QrErrorCode } from '../../src/core/qr/index.js';

// Real payloads from public sources (shared/vectors/emv-mpm.json, copied into the fixtures).
interface Vector {
  id: string;
  invalid: boolean;
  payload: string;
  scheme: string;
  expected: Record<string, unknown>;
  validator_findings: string[];
}
const file = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/emv-mpm.json');
const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { crc_check_value: { input: string; output: string }; mpm: Vector[] };
const vectors = data.mpm;

// Each kind of finding the vectors list, as the warning the lenient decoder must give.
function warningFor(finding: string): string {
  const rules: Array<[RegExp, (m: RegExpExecArray) => string]> = [
    [/^missing mandatory (\d\d)$/, (m) => `QR_MISSING_FIELD ${m[1]}`],
    [/^Payload Format Indicator = "02"/, () => 'QR_FORMAT_INDICATOR_INVALID 00'],
    [/^62\.00 present/, () => 'QR_FIELD_UNDEFINED 62.00'],
    [/^template (\d\d) not parseable as TLV/, (m) => `QR_TEMPLATE_NOT_TLV ${m[1]}`],
    [/^CRC declared in lowercase hex/, () => 'QR_CRC_LOWERCASE 63'],
    [/^56 present but 55 != 02/, () => 'QR_FIELD_CONDITION 56'],
    [/^57 present but 55 != 03/, () => 'QR_FIELD_CONDITION 57'],
  ];
  for (const [re, f] of rules) {
    const m = re.exec(finding);
    if (m) return f(m);
  }
  throw new Error(`no rule for finding "${finding}"`);
}

// Deviations the lenient decoder finds beyond the vectors' own findings (their validator does not
// check 62.09, "any of A, M, E").
const EXTRA_WARNINGS: Record<string, string[]> = {
  'mvallim-decoder-success': ['QR_FIELD_INVALID 62.09'],
};

// What each invalid vector is refused for.
const INVALID_CAUSE: Record<string, QrErrorCode> = {
  'mvallim-no-crc': 'QR_CRC_MISSING',
  'mvallim-crc-XXXX': 'QR_CRC_FORMAT_INVALID',
  'expix-url-with-protocol': 'QR_SCHEME_RULE',
  'expix-name-26': 'QR_FIELD_TOO_LONG',
  'khqr-invalid-11': 'QR_CRC_MISSING',
  'qrph-paymongo-dynamic': 'QR_CRC_MISMATCH',
};

const EXPECTED_SCHEME: Record<string, string> = {
  'pix-bcb-static': 'pix', 'pix-bcb-composite-dynamic-rec': 'pix', 'pixutils-static': 'pix', 'pixutils-dynamic-onetime': 'pix', 'expix-dynamic-psp': 'pix',
  'promptpay-phone': 'promptpay', 'promptpay-national-id': 'promptpay', 'promptpay-amount': 'promptpay', 'sgqr-toastbox': 'sgqr',
  'odoo-hk-fps-decimal': 'fps', 'odoo-vn': 'vietqr', 'duitnow-mae-amount': 'duitnow', 'qrph-gcash-gongcha': 'qrph', 'qrph-aub-url': 'qrph',
  'bharatqr-razorpay-doc': 'bharatqr', 'khqr-readme-dynamic-expiry': 'khqr', 'qris-telkomsel-gojek': 'qris', 'duitnow-rhb-store': 'duitnow',
  'hk-fps-unionpay': 'fps', 'bharatqr-pnb-lowercase-crc': 'bharatqr', 'emvco-mpm-annexB': 'unionpay', 'mvallim-decoder-success': 'visa',
};

describe('EMV vectors', () => {
  it('CRC-16/CCITT-FALSE check value', () => {
    expect(crcHex(data.crc_check_value.input)).toBe(data.crc_check_value.output);
  });

  it('covers every vector with an expectation', () => {
    for (const v of vectors) {
      if (v.invalid) expect(INVALID_CAUSE[v.id], v.id).toBeDefined();
      else expect(EXPECTED_SCHEME[v.id], v.id).toBeDefined();
    }
  });

  for (const v of vectors.filter((x) => x.invalid)) {
    it(`refuses ${v.id} in both modes with ${INVALID_CAUSE[v.id]}`, () => {
      for (const lenient of [false, true]) {
        const r = decodeEmv(v.payload, { lenient });
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.error.code).toBe(INVALID_CAUSE[v.id]);
          expect(r.error.message.length).toBeGreaterThan(10);
        }
      }
    });
  }

  for (const v of vectors.filter((x) => !x.invalid && x.validator_findings.length === 0)) {
    it(`parses ${v.id} strictly, fields equal to expected`, () => {
      const r = decodeEmv(v.payload);
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      expect(r.code.fields).toEqual(v.expected);
      expect(r.code.warnings).toEqual([]);
      expect(r.code.scheme).toBe(EXPECTED_SCHEME[v.id]);
      // Round trip: encode the decoded objects, decode again, same payload.
      expect(encodeEmv(toEncodable(r.code.objects))).toBe(v.payload);
    });
  }

  for (const v of vectors.filter((x) => !x.invalid && x.validator_findings.length > 0)) {
    it(`parses ${v.id} leniently with each finding as a warning, and strictly refuses its deviation`, () => {
      const r = decodeEmv(v.payload, { lenient: true });
      if (!r.ok) throw new Error(JSON.stringify(r.error));
      expect(r.code.fields).toEqual(v.expected);
      expect(r.code.scheme).toBe(EXPECTED_SCHEME[v.id]);
      const expected = v.validator_findings.map(warningFor);
      expect(r.code.warnings.map((w) => `${w.code} ${w.field}`).sort()).toEqual([...expected, ...(EXTRA_WARNINGS[v.id] ?? [])].sort());
      const strict = decodeEmv(v.payload);
      const onlyLowercase = expected.every((w) => w.startsWith('QR_CRC_LOWERCASE'));
      if (onlyLowercase) {
        // Compared case-insensitively: accepted, with the warning.
        expect(strict.ok).toBe(true);
      } else {
        expect(strict.ok).toBe(false);
        if (!strict.ok) expect(expected.map((w) => w.split(' ')[0])).toContain(strict.error.code);
      }
    });
  }
});
