import { decodeEmv } from './emv.js';
import { checkMerchantCode, claimsSaoma, type CounterfeitReason, type QrPublicKey, type SignatureVerifier } from './merchant-code.js';
import type { Scheme } from './schemes.js';
import type { QrIssue } from './errors.js';
import { analyzeUrl, looksLikeUrl, type UrlVerdict } from './url.js';

/** What a wallet shows after a scan (DESIGN §5). Only `genuine` can lead to a payment to a saoma merchant. */
export type ScanVerdict =
  | {
      readonly kind: 'genuine';
      readonly merchantId: string;
      readonly tillId: string | undefined;
      readonly initiation: 'static' | 'dynamic';
      readonly currency: string;
      readonly amountMinor: bigint | undefined;
      readonly reference: string | undefined;
      readonly expiresAtMs: number | undefined;
      readonly keyId: string;
    }
  | { readonly kind: 'counterfeit'; readonly reason: CounterfeitReason; readonly message: string }
  | { readonly kind: 'expired'; readonly merchantId: string; readonly reference: string | undefined; readonly expiresAtMs: number }
  | { readonly kind: 'used'; readonly merchantId: string; readonly reference: string }
  | {
      readonly kind: 'foreign';
      readonly scheme: Scheme | 'upi';
      readonly schemes: readonly string[];
      /** Unverified: whatever the code says. */
      readonly nameInCode: string | undefined;
      readonly warnings: readonly QrIssue[];
    }
  | UrlVerdict
  | { readonly kind: 'text'; readonly text: string; readonly note?: string };

export interface ScanContext {
  readonly keys: readonly QrPublicKey[];
  readonly verify: SignatureVerifier;
  readonly nowMs: number;
  /** Whether a dynamic code's order was already paid or closed (the service knows). */
  readonly isUsed?: (merchantId: string, reference: string) => boolean;
}

export function scanVerdict(rawText: string, ctx: ScanContext): ScanVerdict {
  const text = rawText.trim();
  if (claimsSaoma(text)) {
    const check = checkMerchantCode(text, ctx.keys, ctx.verify);
    if (!check.ok) return { kind: 'counterfeit', reason: check.reason, message: check.message };
    if (check.initiation === 'dynamic') {
      if (check.expiresAtMs !== undefined && ctx.nowMs >= check.expiresAtMs) {
        return { kind: 'expired', merchantId: check.merchantId, reference: check.reference, expiresAtMs: check.expiresAtMs };
      }
      if (check.reference !== undefined && ctx.isUsed?.(check.merchantId, check.reference)) {
        return { kind: 'used', merchantId: check.merchantId, reference: check.reference };
      }
    }
    return {
      kind: 'genuine',
      merchantId: check.merchantId,
      tillId: check.tillId,
      initiation: check.initiation,
      currency: check.currency,
      amountMinor: check.amountMinor,
      reference: check.reference,
      expiresAtMs: check.expiresAtMs,
      keyId: check.keyId,
    };
  }
  if (/^upi:\/\/pay\?/i.test(text)) {
    const name = /[?&]pn=([^&]*)/.exec(text)?.[1];
    return { kind: 'foreign', scheme: 'upi', schemes: ['upi'], nameInCode: name === undefined ? undefined : safeDecode(name), warnings: [] };
  }
  if (looksLikeUrl(text)) {
    const url = analyzeUrl(text);
    if (url) return url;
  }
  if (/^000201/.test(text) || /^000202/.test(text)) {
    const decoded = decodeEmv(text, { lenient: true });
    if (decoded.ok) {
      const name = decoded.code.fields['59'];
      return { kind: 'foreign', scheme: decoded.code.scheme, schemes: decoded.code.schemes, nameInCode: typeof name === 'string' ? name : undefined, warnings: decoded.code.warnings };
    }
    return { kind: 'text', text, note: `looks like a damaged payment code (${decoded.error.code}): do not pay with it` };
  }
  return { kind: 'text', text };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
