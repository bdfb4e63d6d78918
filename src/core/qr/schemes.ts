/** saoma's Globally Unique Identifier in merchant account templates (26-51) and its signature templates. */
export const SAOMA_GUID = 'org.saoma';

export const SCHEMES = [
  'saoma', 'pix', 'paynow', 'sgqr', 'promptpay', 'duitnow', 'qris', 'vietqr', 'khqr', 'fps', 'qrph',
  'upi', 'bharatqr', 'unionpay', 'visa', 'mastercard', 'amex', 'jcb', 'discover', 'emvco',
] as const;
export type Scheme = (typeof SCHEMES)[number];

// GUIDs of sub-ID 00 in templates 26-51, as published by each scheme (shared/domain/emv-mpm.md §3).
const EXACT_GUIDS: ReadonlyMap<string, Scheme> = new Map<string, Scheme>([
  [SAOMA_GUID, 'saoma'],
  ['br.gov.bcb.pix', 'pix'],
  ['sg.paynow', 'paynow'],
  ['hk.com.hkicl', 'fps'],
  ['ph.ppmi.p2m', 'qrph'],
  ['com.p2pqrpay', 'qrph'],
  ['sg.sgqr', 'sgqr'],
]);
const AID_PREFIXES: ReadonlyArray<readonly [string, Scheme]> = [
  ['A000000677', 'promptpay'],
  ['A000000615', 'duitnow'],
  ['A000000727', 'vietqr'],
  ['A000000524', 'upi'],
  ['A000000333', 'unionpay'],
  ['D156', 'unionpay'],
];

function schemeOfGuid(guid: string): Scheme | undefined {
  const lower = guid.toLowerCase();
  const exact = EXACT_GUIDS.get(lower);
  if (exact) return exact;
  const upper = guid.toUpperCase();
  for (const [prefix, scheme] of AID_PREFIXES) if (upper.startsWith(prefix)) return scheme;
  if (lower.startsWith('id.co.')) return 'qris';
  // KHQR carries a Bakong account (name@bank) where a GUID would be.
  if (/^[^@\s]+@[^@\s]+$/.test(guid)) return 'khqr';
  return undefined;
}

// Primitive merchant account IDs 02-25 name the network by their number (EMV MPM Table 4.1).
function networkOfPrimitive(id: number): Scheme {
  if (id <= 3) return 'visa';
  if (id <= 5) return 'mastercard';
  if (id <= 8) return 'emvco';
  if (id <= 10) return 'discover';
  if (id <= 12) return 'amex';
  if (id <= 14) return 'jcb';
  if (id <= 16) return 'unionpay';
  return 'emvco';
}

// When several are present, the first in this order names the code.
const PRIORITY: readonly Scheme[] = ['saoma', 'pix', 'paynow', 'promptpay', 'duitnow', 'vietqr', 'khqr', 'fps', 'qrph', 'qris', 'bharatqr', 'upi', 'unionpay', 'sgqr', 'visa', 'mastercard', 'amex', 'jcb', 'discover', 'emvco'];

export type RootFields = Readonly<Record<string, string | Readonly<Record<string, string>>>>;

const RANK: ReadonlyMap<Scheme, number> = new Map(PRIORITY.map((s, i) => [s, i]));

/** The schemes a decoded code carries (in priority order), the one that names it, and where its account is. */
export function recognizeSchemes(fields: RootFields): { scheme: Scheme; schemes: Scheme[]; accountId: string | undefined } {
  const found: Scheme[] = [];
  let accountId: string | undefined;
  let best = Number.MAX_SAFE_INTEGER;
  const add = (scheme: Scheme, id: string | undefined) => {
    if (!found.includes(scheme)) found.push(scheme);
    const rank = RANK.get(scheme)!;
    if (rank < best) {
      best = rank;
      accountId = id;
    }
  };
  for (const id in fields) {
    const n = Number(id);
    if (n >= 2 && n <= 25) add(networkOfPrimitive(n), id);
    else if (n >= 26 && n <= 51) {
      const value = fields[id];
      const guid = typeof value === 'object' ? value['00'] : undefined;
      const scheme = guid === undefined ? undefined : schemeOfGuid(guid);
      if (scheme) add(scheme, id);
    }
  }
  // BharatQR: an Indian code with card-network accounts and/or a UPI template.
  if (fields['58'] === 'IN' && (found.includes('upi') || found.includes('visa') || found.includes('mastercard'))) add('bharatqr', accountId);
  if (found.length === 0) return { scheme: 'emvco', schemes: ['emvco'], accountId: undefined };
  found.sort((a, b) => RANK.get(a)! - RANK.get(b)!);
  return { scheme: found[0]!, schemes: found, accountId };
}
