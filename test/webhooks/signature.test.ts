import { describe, expect, it } from 'vitest';
import { signWebhookPayload, verifyWebhookSignature, WebhookSignatureError } from '../../src/sdk/webhooks.js';
import { webhookSignatureHeader } from '../../src/service/webhooks.js';
import { WEBHOOK_SIGNATURE_TOLERANCE_MS } from '../../src/core/limits.js';

const secret = 'whsec_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
const payload = '{"id":"evt_abc","type":"payment.succeeded","createdAtMs":1700000000000,"data":{"paymentId":"pay_1","amountMinor":1250,"currency":"CNY"}}';
const nowMs = 1_700_000_000_000;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookSignatureError);
    return (error as WebhookSignatureError).code;
  }
  return 'no error';
}

describe('webhook signatures', () => {
  it('the server (node:crypto) and the SDK (WebCrypto) sign alike, and the SDK verifies it', async () => {
    for (const [p, s, t] of [
      [payload, secret, nowMs],
      ['{"id":"e","type":"a.b","createdAtMs":1,"data":{"note":"收款 ¥12.50 ✓"}}', 'whsec_other', nowMs + 999],
      ['{}', 'k', 0],
    ] as const) {
      const server = webhookSignatureHeader(s, p, t);
      expect(await signWebhookPayload({ payload: p, secret: s, nowMs: t })).toBe(server);
      expect(server).toMatch(/^t=[0-9]+,v1=[0-9a-f]{64}$/);
    }
    // A known answer, so both cannot drift together: HMAC-SHA256(secret, "1700000000.<payload>").
    const { createHmac } = await import('node:crypto');
    const expected = createHmac('sha256', secret).update(`1700000000.${payload}`).digest('hex');
    expect(webhookSignatureHeader(secret, payload, nowMs + 999)).toBe(`t=1700000000,v1=${expected}`);
    const event = await verifyWebhookSignature({ payload, header: webhookSignatureHeader(secret, payload, nowMs), secret, nowMs });
    expect(event).toEqual({ id: 'evt_abc', type: 'payment.succeeded', createdAtMs: 1700000000000, data: { paymentId: 'pay_1', amountMinor: 1250, currency: 'CNY' } });
  });

  it('accepts timestamps within the tolerance either side, refuses them beyond', async () => {
    const header = webhookSignatureHeader(secret, payload, nowMs);
    const tolerance = WEBHOOK_SIGNATURE_TOLERANCE_MS;
    expect(tolerance).toBe(5 * 60 * 1000);
    await expect(verifyWebhookSignature({ payload, header, secret, nowMs: nowMs + tolerance })).resolves.toMatchObject({ id: 'evt_abc' });
    await expect(verifyWebhookSignature({ payload, header, secret, nowMs: nowMs - tolerance })).resolves.toMatchObject({ id: 'evt_abc' });
    expect(await codeOf(verifyWebhookSignature({ payload, header, secret, nowMs: nowMs + tolerance + 1 }))).toBe('WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE');
    expect(await codeOf(verifyWebhookSignature({ payload, header, secret, nowMs: nowMs - tolerance - 1 }))).toBe('WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE');
    // A custom tolerance.
    expect(await codeOf(verifyWebhookSignature({ payload, header, secret, nowMs: nowMs + 61_000, toleranceMs: 60_000 }))).toBe('WEBHOOK_TIMESTAMP_OUTSIDE_TOLERANCE');
    await expect(verifyWebhookSignature({ payload, header, secret, nowMs: nowMs + 59_000, toleranceMs: 60_000 })).resolves.toBeDefined();
  });

  it('refuses a missing or malformed header with its own codes', async () => {
    for (const header of [undefined, null, '', '   ']) {
      expect(await codeOf(verifyWebhookSignature({ payload, header, secret, nowMs }))).toBe('WEBHOOK_SIGNATURE_HEADER_MISSING');
    }
    const good = webhookSignatureHeader(secret, payload, nowMs);
    const v1 = good.split(',v1=')[1]!;
    for (const header of [
      'garbage',
      `v1=${v1}`, // no timestamp
      `t=${nowMs / 1000}`, // no signature
      `t=abc,v1=${v1}`,
      `t=1700000000,t=1700000000,v1=${v1}`,
      `t=1700000000,v1=${v1.toUpperCase()}`,
      `t=1700000000,v1=${v1.slice(2)}`,
      `t=1700000000,v1=${'z'.repeat(64)}`,
      `t=1700000000,v1=${v1},${'x'.repeat(5000)}`,
    ]) {
      expect(await codeOf(verifyWebhookSignature({ payload, header, secret, nowMs })), header.slice(0, 60)).toBe('WEBHOOK_SIGNATURE_HEADER_INVALID');
    }
  });

  it('refuses another secret, an altered body and an altered timestamp; accepts any one matching v1', async () => {
    const header = webhookSignatureHeader(secret, payload, nowMs);
    expect(await codeOf(verifyWebhookSignature({ payload, header, secret: `${secret}x`, nowMs }))).toBe('WEBHOOK_SIGNATURE_MISMATCH');
    expect(await codeOf(verifyWebhookSignature({ payload: payload.replace('1250', '9250'), header, secret, nowMs }))).toBe('WEBHOOK_SIGNATURE_MISMATCH');
    expect(await codeOf(verifyWebhookSignature({ payload: `${payload} `, header, secret, nowMs }))).toBe('WEBHOOK_SIGNATURE_MISMATCH');
    const shifted = header.replace(/^t=(\d+)/, (_m, t: string) => `t=${Number(t) + 1}`);
    expect(await codeOf(verifyWebhookSignature({ payload, header: shifted, secret, nowMs }))).toBe('WEBHOOK_SIGNATURE_MISMATCH');
    // Secret roll-over: the old secret's signature next to the new one's; a future v2 is ignored.
    const old = webhookSignatureHeader('whsec_old', payload, nowMs).split(',')[1]!;
    await expect(verifyWebhookSignature({ payload, header: `${header},${old},v2=whatever`, secret, nowMs })).resolves.toMatchObject({ id: 'evt_abc' });
    await expect(verifyWebhookSignature({ payload, header: `${header},${old}`, secret: 'whsec_old', nowMs })).resolves.toMatchObject({ id: 'evt_abc' });
  });

  it('refuses a correctly signed payload that is not an event', async () => {
    for (const p of ['not json', '[]', '{"id":"x"}', 'null']) {
      const header = webhookSignatureHeader(secret, p, nowMs);
      expect(await codeOf(verifyWebhookSignature({ payload: p, header, secret, nowMs }))).toBe('WEBHOOK_PAYLOAD_INVALID');
    }
  });
});
