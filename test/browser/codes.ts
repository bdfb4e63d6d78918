// QR payloads the browser tests show to the fake camera.
import fs from 'node:fs';
import path from 'node:path';
import { withRecomputedCrc } from '../../src/core/qr/index.js';
import { ROOT } from './harness.js';

/** The till payload with one letter of the merchant name (field 59) changed and the CRC recomputed: signed bytes altered. */
export function counterfeitOf(payload: string): string {
  const chars = Array.from(payload);
  let at = 0;
  while (at < chars.length - 4) {
    const id = chars.slice(at, at + 2).join('');
    const length = Number(chars.slice(at + 2, at + 4).join(''));
    if (id === '59') {
      const name = at + 4;
      const i = chars.slice(name, name + length).findIndex((c) => /[A-Za-z]/.test(c));
      if (i < 0) throw new Error('the merchant name has no Latin letter to alter');
      chars[name + i] = chars[name + i] === 'X' ? 'Y' : 'X';
      const forged = withRecomputedCrc(chars.join(''));
      if (forged === payload) throw new Error('the counterfeit equals the genuine code');
      return forged;
    }
    at += 4 + length;
  }
  throw new Error('no merchant name field in the till payload');
}

/** A real Pix (Brazil) static code from the EMV vectors. */
export function pixPayload(): string {
  const fixtures = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/emv-mpm.json'), 'utf8')) as { mpm: Array<{ id: string; payload: string }> };
  const pix = fixtures.mpm.find((entry) => entry.id === 'pix-bcb-static');
  if (!pix) throw new Error('the Pix vector is missing from test/fixtures/emv-mpm.json');
  return pix.payload;
}
