/** saoma's Globally Unique Identifier in merchant account templates (26-51) and its signature templates. */
export const SAOMA_GUID = 'org.saoma';

export const SCHEMES = [
  'saoma', 'pix', 'paynow', 'sgqr', 'promptpay', 'duitnow', 'qris', 'vietqr', 'khqr', 'fps', 'qrph',
  'upi', 'bharatqr', 'unionpay', 'visa', 'mastercard', 'amex', 'jcb', 'discover', 'emvco',
] as const;
export type Scheme = (typeof SCHEMES)[number];

interface GuidRule {
  readonly scheme: Scheme;
  readonly matches: (guid: string) => boolean;
}

const eq = (expected: string) => (guid: string) => guid.toLowerCase() === expected.toLowerCase();
const prefix = (expected: string) => (guid: string) => guid.toUpperCase().startsWith(expected.toUpperCase());

// GUIDs of sub-ID 00 in templates 26-51, as published by each scheme (shared/domain/emv-mpm.md §3).
const GUID_RULES: readonly GuidRule[] = [
  { scheme: 'saoma', matches: eq(SAOMA_GUID) },
  { scheme: 'pix', matches: eq('br.gov.bcb.pix') },
  { scheme: 'paynow', matches: eq('SG.PAYNOW') },
  { scheme: 'promptpay', matches: prefix('A000000677') },
  { scheme: 'duitnow', matches: prefix('A000000615') },
  { scheme: 'vietqr', matches: prefix('A000000727') },
  { scheme: 'fps', matches: eq('hk.com.hkicl') },
  { scheme: 'qrph', matches: (g) => eq('ph.ppmi.p2m')(g) || eq('com.p2pqrpay')(g) },
  { scheme: 'upi', matches: prefix('A000000524') },
  { scheme: 'unionpay', matches: (g) => prefix('A000000333')(g) || prefix('D156')(g) },
  { scheme: 'qris', matches: (g) => /^ID\.CO\./i.test(g) },
  { scheme: 'sgqr', matches: eq('SG.SGQR') },
  // KHQR carries a Bakong account (name@bank) where a GUID would be.
  { scheme: 'khqr', matches: (g) => /^[^@\s]+@[^@\s]+$/.test(g) },
];

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

/** The schemes a decoded code carries, and the one that names it. */
export function recognizeSchemes(fields: RootFields): { scheme: Scheme; schemes: Scheme[] } {
  const found = new Set<Scheme>();
  for (const [id, value] of Object.entries(fields)) {
    const n = Number(id);
    if (n >= 2 && n <= 25) found.add(networkOfPrimitive(n));
    if (n >= 26 && n <= 51 && typeof value === 'object' && value['00'] !== undefined) {
      const guid = value['00'];
      const rule = GUID_RULES.find((r) => r.matches(guid));
      if (rule) found.add(rule.scheme);
    }
  }
  // BharatQR: an Indian code with card-network accounts and/or a UPI template.
  if (fields['58'] === 'IN' && (found.has('upi') || found.has('visa') || found.has('mastercard'))) found.add('bharatqr');
  const schemes = PRIORITY.filter((s) => found.has(s));
  return { scheme: schemes[0] ?? 'emvco', schemes: schemes.length > 0 ? schemes : ['emvco'] };
}
